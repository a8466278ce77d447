// SPDX-License-Identifier: Apache-2.0
#include "headless.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Qt::StringLiterals;

namespace {

const char kUsage[] = "Usage: clusterwatch [--demo] [--kubeconfig PATH] [--context NAME]\n"
                      "       clusterwatch watch [options] RESOURCE...\n"
                      "\n"
                      "Without a command: the desktop application, on the current kubeconfig context (or the\n"
                      "built-in demo cluster when there is no kubeconfig).\n"
                      "\n"
                      "Commands:\n"
                      "  watch              watch resources without a window and write events, health and\n"
                      "                     objects to files (clusterwatch watch --help)\n"
                      "\n"
                      "Options:\n"
                      "  --demo             open the built-in demo cluster (a simulated API server with churn\n"
                      "                     and a fault schedule)\n"
                      "  --kubeconfig PATH  the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)\n"
                      "  --context NAME     the context to open (default: current-context)\n"
                      "  --version          print the version\n"
                      "  -h, --help         this help\n";

// The desktop application. Options are few and taken by hand, so that an unknown one is one clear line.
int runDesktop(int argc, char **argv, const QStringList &args)
{
    cw::ui::StartOptions options;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == "--demo"_L1) {
            options.demo = true;
            continue;
        }
        QString *target = nullptr;
        QString name;
        for (const auto &[flag, field] : {std::pair{"--kubeconfig"_L1, &options.kubeconfig},
                                          std::pair{"--context"_L1, &options.context}}) {
            if (a == flag || a.startsWith(flag + u'=')) {
                target = field;
                name = flag;
            }
        }
        if (!target) {
            cw::app::printError(u"unknown option \""_s + a + u"\" (see clusterwatch --help)"_s);
            return cw::app::ExitUsage;
        }
        if (a.size() > name.size()) {
            *target = a.mid(name.size() + 1);
        } else if (i + 1 < args.size()) {
            *target = args[++i];
        } else {
            cw::app::printError(name + u" needs a value (see clusterwatch --help)"_s);
            return cw::app::ExitUsage;
        }
    }
#ifdef __GLIBC__
    // A desktop session lives for hours with a dozen threads (watch, decode, network, the demo's server), and
    // glibc gives each busy thread a heap of its own that keeps what it once held. Two heaps keep the
    // memory flat (scripts/soak-demo measures it).
    mallopt(M_ARENA_MAX, 2);
#endif
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"clusterwatch"_s);
    QApplication::setApplicationDisplayName(u"ClusterWatch"_s);
    QApplication::setOrganizationName(u"ClusterWatch"_s);
    QApplication::setApplicationVersion(QStringLiteral(CLUSTERWATCH_VERSION));
    QApplication::setDesktopFileName(u"io.github.clusterwatch.ClusterWatch"_s);
    QLoggingCategory::setFilterRules(u"clusterwatch.*.info=false"_s);
    cw::ui::MainWindow window(options);
    window.show();
    return app.exec();
}

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

    const QString command = args.value(0);
    if (command == "--version"_L1) {
        std::printf("clusterwatch %s\n", CLUSTERWATCH_VERSION);
        return cw::app::ExitOk;
    }
    if (command == "--help"_L1 || command == "-h"_L1 || command == "help"_L1) {
        std::fputs(kUsage, stdout);
        return cw::app::ExitOk;
    }
    if (command != "watch"_L1) {
        if (!command.isEmpty() && !command.startsWith(u'-')) {
            cw::app::printError(u"unknown command \""_s + command + u"\" (see clusterwatch --help)"_s);
            return cw::app::ExitUsage;
        }
        return runDesktop(argc, argv, args);
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
