// SPDX-License-Identifier: Apache-2.0
#include "decodeworker.h"

#include <QMetaObject>

namespace cw::watch {

void DecodeWorker::post(quint64 request, QByteArray buffer, qint64 size, std::shared_ptr<LineDecoder> lines,
                        qint64 receivedMs)
{
    bool wake = false;
    {
        const std::lock_guard lock(m_mutex);
        m_jobs.push_back(Job{request, std::move(buffer), size, std::move(lines), receivedMs});
        wake = !std::exchange(m_drainQueued, true);
    }
    if (wake)
        QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

std::vector<DecodedChunk> DecodeWorker::takeDecoded()
{
    const std::lock_guard lock(m_mutex);
    m_readySignalled = false;
    return std::exchange(m_done, {});
}

void DecodeWorker::drain()
{
    for (;;) {
        Job job;
        {
            const std::lock_guard lock(m_mutex);
            if (m_jobs.empty()) {
                m_drainQueued = false;
                return;
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        DecodedChunk chunk;
        chunk.request = job.request;
        chunk.receivedMs = job.receivedMs;
        chunk.bytes = job.size;
        const QList<Line> split =
            job.lines->feedInPlace(QByteArrayView(job.buffer).first(qsizetype(job.size)), DecodePadding);
        chunk.lines.reserve(split.size());
        for (const Line &line : split)
            chunk.lines.append(
                DecodedLine{line.offset, decodeWatchLine(line.bytes, m_keepManagedFields, line.readable)});
        chunk.buffer = std::move(job.buffer);
        bool signal = false;
        {
            const std::lock_guard lock(m_mutex);
            m_done.push_back(std::move(chunk));
            signal = !std::exchange(m_readySignalled, true);
        }
        if (signal)
            emit decodedReady();
    }
}

} // namespace cw::watch
