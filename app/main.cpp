// SPDX-License-Identifier: Apache-2.0
#include "headless.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

const char kUsage[] = "Usage: clusterwatch <command> [options]\n"
                      "\n"
                      "Commands:\n"
                      "  watch       watch resources without a window and write events, health and objects to files\n"
                      "              (clusterwatch watch --help)\n"
                      "\n"
                      "Options:\n"
                      "  --version   print the version\n"
                      "  -h, --help  this help\n";

// Qt's and the engine's log messages, worded like every other stderr line: one "clusterwatch: ..." line.
void logToStderr(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const bool named = context.category && std::strcmp(context.category, "default") != 0;
    cw::app::printError(named ? QString::fromLatin1(context.category) + u": "_s + message : message);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));

    if (args.isEmpty()) {
        // The desktop UI comes later; until then say what does exist rather than showing nothing.
        cw::app::printError(u"the desktop UI is not built yet; for the headless mode see `clusterwatch watch --help`"_s);
        return cw::app::ExitUsage;
    }
    const QString &command = args.constFirst();
    if (command == "--version"_L1) {
        std::printf("clusterwatch %s\n", CLUSTERWATCH_VERSION);
        return cw::app::ExitOk;
    }
    if (command == "--help"_L1 || command == "-h"_L1 || command == "help"_L1) {
        std::fputs(kUsage, stdout);
        return cw::app::ExitOk;
    }
    if (command != "watch"_L1) {
        cw::app::printError(u"unknown command \""_s + command + u"\" (see clusterwatch --help)"_s);
        return cw::app::ExitUsage;
    }

    // No display needed or wanted: a QCoreApplication runs the network and the timers.
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"clusterwatch"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CLUSTERWATCH_VERSION));
    // The engine's diagnostics repeat what the health output and the error lines already say;
    // QT_LOGGING_RULES (which overrides these rules) brings them back when debugging.
    QLoggingCategory::setFilterRules(u"clusterwatch.*.info=false\nclusterwatch.*.warning=false"_s);
    qInstallMessageHandler(logToStderr);
    const cw::app::ParseResult parsed = cw::app::parseWatchArguments(args.mid(1));
    if (!parsed.options) {
        if (!parsed.out.isEmpty())
            std::fputs(parsed.out.toLocal8Bit().constData(), stdout);
        if (!parsed.error.isEmpty())
            cw::app::printError(parsed.error);
        return parsed.exitCode;
    }
    return cw::app::runWatch(*parsed.options);
}
