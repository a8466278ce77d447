// SPDX-License-Identifier: Apache-2.0
#include "decodeworker.h"

#include <QMetaObject>
#include <QThread>

#include <deque>
#include <map>
#include <mutex>

namespace cw::watch {

struct DecodeWorker::Shared
{
    struct Job
    {
        quint64 sequence = 0;
        quint64 request = 0;
        QByteArray buffer;
        qint64 size = 0;
        QList<Line> lines;
        qint64 receivedMs = 0;
    };
    // Idle: nothing queued. Looking: woken, or between two jobs. Busy: decoding a job.
    enum class DrainerState
    {
        Idle,
        Looking,
        Busy
    };

    explicit Shared(bool keep) : keepManagedFields(keep) {}

    const bool keepManagedFields;
    std::mutex mutex;
    std::deque<Job> jobs;
    quint64 nextSequence = 0;
    std::map<quint64, DecodedChunk> ahead; // finished before an earlier read
    quint64 nextDelivered = 0;
    std::vector<DecodedChunk> done; // in order, for takeDecoded()
    bool readySignalled = false;
    std::vector<DrainerState> drainers;
};

class DecodeWorker::Drainer : public QObject
{
    Q_OBJECT
public:
    Drainer(std::shared_ptr<Shared> shared, size_t index) : m_shared(std::move(shared)), m_index(index) {}

    Q_INVOKABLE void drain();

signals:
    void ready();

private:
    const std::shared_ptr<Shared> m_shared; // outlives the worker while a drain runs
    const size_t m_index;
};

void DecodeWorker::Drainer::drain()
{
    Shared &s = *m_shared;
    for (;;) {
        Shared::Job job;
        {
            const std::lock_guard lock(s.mutex);
            if (s.jobs.empty()) {
                s.drainers[m_index] = Shared::DrainerState::Idle;
                return;
            }
            job = std::move(s.jobs.front());
            s.jobs.pop_front();
            s.drainers[m_index] = Shared::DrainerState::Busy;
        }
        DecodedChunk chunk;
        chunk.request = job.request;
        chunk.receivedMs = job.receivedMs;
        chunk.bytes = job.size;
        chunk.lines.reserve(job.lines.size());
        for (const Line &line : std::as_const(job.lines))
            chunk.lines.append(
                DecodedLine{line.offset, decodeWatchLine(line.bytes, s.keepManagedFields, line.readable)});
        job.lines.clear(); // in-place lines point into the buffer, which goes back with the chunk
        chunk.buffer = std::move(job.buffer);
        bool signal = false;
        {
            const std::lock_guard lock(s.mutex);
            s.drainers[m_index] = Shared::DrainerState::Looking;
            if (job.sequence != s.nextDelivered) {
                s.ahead.emplace(job.sequence, std::move(chunk));
                continue;
            }
            s.done.push_back(std::move(chunk));
            ++s.nextDelivered;
            for (auto next = s.ahead.begin(); next != s.ahead.end() && next->first == s.nextDelivered;
                 next = s.ahead.erase(next)) {
                s.done.push_back(std::move(next->second));
                ++s.nextDelivered;
            }
            signal = !std::exchange(s.readySignalled, true);
        }
        if (signal)
            emit ready();
    }
}

DecodeWorker::DecodeWorker(bool keepManagedFields, const QList<QThread *> &threads)
    : m_shared(std::make_shared<Shared>(keepManagedFields))
{
    const qsizetype count = std::max<qsizetype>(1, threads.size());
    m_shared->drainers.assign(size_t(count), Shared::DrainerState::Idle);
    for (qsizetype i = 0; i < count; ++i) {
        auto *drainer = new Drainer(m_shared, size_t(i));
        if (!threads.isEmpty())
            drainer->moveToThread(threads[i]);
        connect(drainer, &Drainer::ready, this, &DecodeWorker::decodedReady, Qt::QueuedConnection);
        m_drainers.append(drainer);
    }
}

DecodeWorker::~DecodeWorker()
{
    // Each goes in its own thread, after the drain it may be running; what it decodes reaches no one.
    for (Drainer *drainer : std::as_const(m_drainers)) {
        drainer->disconnect(this);
        drainer->deleteLater();
    }
}

void DecodeWorker::post(quint64 request, QByteArray buffer, qint64 size, QList<Line> lines, qint64 receivedMs)
{
    Drainer *wake = nullptr;
    {
        Shared &s = *m_shared;
        const std::lock_guard lock(s.mutex);
        s.jobs.push_back(
            Shared::Job{s.nextSequence++, request, std::move(buffer), size, std::move(lines), receivedMs});
        // Another drainer only when the ones already looking for work cannot take every job that waits.
        const auto looking =
            size_t(std::count(s.drainers.begin(), s.drainers.end(), Shared::DrainerState::Looking));
        if (s.jobs.size() > looking) {
            const auto idle = std::find(s.drainers.begin(), s.drainers.end(), Shared::DrainerState::Idle);
            if (idle != s.drainers.end()) {
                *idle = Shared::DrainerState::Looking;
                wake = m_drainers[idle - s.drainers.begin()];
            }
        }
    }
    if (wake)
        QMetaObject::invokeMethod(wake, "drain", Qt::QueuedConnection);
}

std::vector<DecodedChunk> DecodeWorker::takeDecoded()
{
    const std::lock_guard lock(m_shared->mutex);
    m_shared->readySignalled = false;
    return std::exchange(m_shared->done, {});
}

} // namespace cw::watch

#include "decodeworker.moc"
