# SPDX-License-Identifier: Apache-2.0
# Provides cw::KSyntaxHighlighting, the Qt 6 build of KDE's syntax highlighter.
#
# Prefers a real KF6 package (find_package(KF6SyntaxHighlighting), as newer distributions ship it). Debian 12
# has only the Qt 5 build, so there the bootstrap assembles a Qt 6 one from Debian packages into a cached
# prefix (scripts/ksyntaxhighlighting-qt6: Qt Creator's private library + the KF5 public headers, both
# pinned). Sets CW_KSYNTAXHIGHLIGHTING_PRIVATE_LIBS to the files a package must ship next to the binary
# when the prefix is used (empty with KF6).

find_package(KF6SyntaxHighlighting 6.0 CONFIG QUIET)

if(KF6SyntaxHighlighting_FOUND)
    add_library(cw::KSyntaxHighlighting INTERFACE IMPORTED)
    target_link_libraries(cw::KSyntaxHighlighting INTERFACE KF6::SyntaxHighlighting)
    set(CW_KSYNTAXHIGHLIGHTING_PRIVATE_LIBS "")
    message(STATUS "KSyntaxHighlighting: KF6 ${KF6SyntaxHighlighting_VERSION}")
    return()
endif()

# Keep in sync with scripts/ksyntaxhighlighting-qt6 (same default, same CW_DEPS_DIR override).
if(DEFINED ENV{CW_DEPS_DIR} AND NOT "$ENV{CW_DEPS_DIR}" STREQUAL "")
    set(_cw_deps_dir "$ENV{CW_DEPS_DIR}")
else()
    set(_cw_deps_dir "$ENV{HOME}/.cache/clusterwatch")
endif()
set(CW_KSYNTAXHIGHLIGHTING_PREFIX "${_cw_deps_dir}/ksyntaxhighlighting-qt6-9.0.2-2" CACHE PATH
    "Prefix holding the Qt 6 KSyntaxHighlighting assembled by scripts/ksyntaxhighlighting-qt6")
unset(_cw_deps_dir)

set(_cw_ksh_library "${CW_KSYNTAXHIGHLIGHTING_PREFIX}/lib/libKSyntaxHighlighting.so.9.0.2")
set(_cw_ksh_include "${CW_KSYNTAXHIGHLIGHTING_PREFIX}/include")
# The stamp is written last: without it the prefix is half assembled (or from another pairing).
if(NOT EXISTS "${CW_KSYNTAXHIGHLIGHTING_PREFIX}/.complete" OR NOT EXISTS "${_cw_ksh_library}"
   OR NOT EXISTS "${_cw_ksh_include}/KSyntaxHighlighting/Repository")
    message(FATAL_ERROR
        "KSyntaxHighlighting for Qt 6 not found: no KF6SyntaxHighlighting package, and no complete prefix at "
        "${CW_KSYNTAXHIGHLIGHTING_PREFIX}.\n"
        "Run scripts/bootstrap (on Debian 12 it assembles the prefix from Debian packages), or set "
        "CW_KSYNTAXHIGHLIGHTING_PREFIX / CW_DEPS_DIR to where it was assembled.")
endif()

add_library(cw::KSyntaxHighlighting SHARED IMPORTED)
set_target_properties(cw::KSyntaxHighlighting PROPERTIES
    IMPORTED_LOCATION "${_cw_ksh_library}"
    IMPORTED_SONAME "libKSyntaxHighlighting.so.9"
    # SYSTEM: these third-party headers are not held to our -Werror warning set.
    INTERFACE_INCLUDE_DIRECTORIES "${_cw_ksh_include}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_cw_ksh_include}"
    INTERFACE_LINK_LIBRARIES "Qt6::Core;Qt6::Gui")
set(CW_KSYNTAXHIGHLIGHTING_PRIVATE_LIBS
    "${_cw_ksh_library};${CW_KSYNTAXHIGHLIGHTING_PREFIX}/lib/libKSyntaxHighlighting.so.9")
message(STATUS "KSyntaxHighlighting: Qt 6 build from Debian packages at ${CW_KSYNTAXHIGHLIGHTING_PREFIX}")
unset(_cw_ksh_library)
unset(_cw_ksh_include)
