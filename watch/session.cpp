// SPDX-License-Identifier: Apache-2.0
#include "session.h"

#include "sessionworker.h"

#include <QMetaObject>

#include <array>

namespace cw::watch {

struct ClusterSession::Private
{
    QString contextName;
    QThread thread;
    // Decode the watch streams' reads beside `thread`: two, so that a fast stream's decoding is not
    // bounded by one core (it is most of the work per event).
    std::array<QThread, 2> decodeThreads;
    SessionWorker *worker = nullptr; // lives in `thread`; deleted there when the thread finishes
};

namespace {
void registerTypes()
{
    qRegisterMetaType<Batch>();
    qRegisterMetaType<VerifyResult>();
    qRegisterMetaType<FetchResult>();
    qRegisterMetaType<StreamError>();
    qRegisterMetaType<std::optional<StreamError>>();
    qRegisterMetaType<ApiResource>();
    qRegisterMetaType<QList<ApiResource>>();
}
} // namespace

ClusterSession::ClusterSession(ResolvedContext context, SessionOptions options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    registerTypes();
    d->contextName = context.contextName;
    // Parentless and moved: a worker must not have a parent in another thread (Qt's worker pattern).
    QList<QThread *> decodeThreads;
    for (QThread &thread : d->decodeThreads)
        decodeThreads.append(&thread);
    if (QThread::idealThreadCount() < 2)
        decodeThreads.resize(1);
    d->worker = new SessionWorker(std::move(context), std::move(options), decodeThreads);
    d->worker->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, d->worker, &QObject::deleteLater);
    connect(d->worker, &SessionWorker::discovered, this, &ClusterSession::discovered, Qt::QueuedConnection);
    connect(d->worker, &SessionWorker::batchReady, this, &ClusterSession::batchReady, Qt::QueuedConnection);
    connect(d->worker, &SessionWorker::streamFinished, this, &ClusterSession::streamFinished, Qt::QueuedConnection);
    connect(d->worker, &SessionWorker::verified, this, &ClusterSession::verified, Qt::QueuedConnection);
    connect(d->worker, &SessionWorker::fetched, this, &ClusterSession::fetched, Qt::QueuedConnection);
    d->thread.setObjectName(QLatin1StringView("watch ") + d->contextName);
    for (QThread *thread : std::as_const(decodeThreads)) {
        thread->setObjectName(QLatin1StringView("decode ") + d->contextName);
        thread->start();
    }
    d->thread.start();
}

ClusterSession::~ClusterSession()
{
    // Streams end and network objects go in the watch thread, before it stops.
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
    // After the informers: their decoders' parts were handed to these threads for deletion, which their end
    // carries out.
    for (QThread &thread : d->decodeThreads) {
        thread.quit();
        thread.wait();
    }
}

QString ClusterSession::contextName() const
{
    return d->contextName;
}

void ClusterSession::discover()
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->discover(); }, Qt::QueuedConnection);
}

QString ClusterSession::watch(const ResourceSpec &spec)
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker, spec] { worker->watch(spec); }, Qt::QueuedConnection);
    return spec.id();
}

void ClusterSession::stop(const QString &stream)
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker, stream] { worker->stop(stream); }, Qt::QueuedConnection);
}

void ClusterSession::stopAll()
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->stopAll(); }, Qt::QueuedConnection);
}

void ClusterSession::verify(const QString &stream)
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker, stream] { worker->verify(stream); }, Qt::QueuedConnection);
}

void ClusterSession::fetch(const QString &stream, const QString &ns, const QString &name)
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, stream, ns, name] { worker->fetch(stream, ns, name); }, Qt::QueuedConnection);
}

void ClusterSession::networkLost()
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->networkLost(); }, Qt::QueuedConnection);
}

void ClusterSession::networkRestored()
{
    SessionWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->networkRestored(); }, Qt::QueuedConnection);
}

} // namespace cw::watch
