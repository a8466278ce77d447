// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>

class QPalette;
class QPlainTextEdit;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

// The process's one KSyntaxHighlighting repository (loading definitions and themes is not free, and every
// view shares them), with ClusterWatch's own definitions. Those are compiled into the binary as Qt resources
// under :/clusterwatch/syntax/ (resources/syntax/*.xml), so packaging installs no data files for them.
// GUI thread only.
namespace cw::ui::syntax {

KSyntaxHighlighting::Repository &repository();

// "Kubernetes YAML" and "Kubernetes JSON": ours, not Kate's, so KF6 and the Debian-assembled library agree.
KSyntaxHighlighting::Definition yamlDefinition();
KSyntaxHighlighting::Definition jsonDefinition();

// Breeze Light or Dark (the library's defaults), chosen by the palette's lightness as KDE does.
KSyntaxHighlighting::Theme themeFor(const QPalette &palette);

// Gives the highlighter the theme for `palette` and the editor the theme's background, text and selection
// colours (highlighted text on a palette-coloured background can be unreadable), then rehighlights.
void applyTheme(KSyntaxHighlighting::SyntaxHighlighter *highlighter, QPlainTextEdit *editor,
                const QPalette &palette);

} // namespace cw::ui::syntax
