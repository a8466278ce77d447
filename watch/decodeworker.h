// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "linedecoder.h"
#include "watchevent.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace cw::watch {

// One decoded line of a watch stream.
struct DecodedLine
{
    qint64 offset = 0; // of the line in the stream, for error reports
    DecodeResult result;
};

// What a watch read became: its lines decoded, and the read's buffer handed back for the next read.
struct DecodedChunk
{
    quint64 request = 0;
    qint64 receivedMs = 0; // when the bytes were read
    qint64 bytes = 0;      // the read's size, as counted against the backlog
    QList<DecodedLine> lines;
    QByteArray buffer;
};

// Splits and decodes a watch stream's reads in a thread of its own, so that reading, decoding and applying
// overlap: decoding is most of the work per event. Reads are decoded in the order they were posted and
// taken back in that order. Reads and results cross threads through mutex-guarded queues; Qt's queued
// calls only wake the other side.
class DecodeWorker : public QObject
{
    Q_OBJECT
public:
    explicit DecodeWorker(bool keepManagedFields) : m_keepManagedFields(keepManagedFields) {}

    // From any thread. `buffer` holds the read's `size` bytes and DecodePadding more that may be read;
    // `lines` is the stream's line state, which nothing else touches until this read comes back.
    void post(quint64 request, QByteArray buffer, qint64 size, std::shared_ptr<LineDecoder> lines,
              qint64 receivedMs);
    // From any thread: the reads decoded since the last call, in order.
    std::vector<DecodedChunk> takeDecoded();

signals:
    // Decoded reads are waiting (once until the next takeDecoded()).
    void decodedReady();

private:
    struct Job
    {
        quint64 request = 0;
        QByteArray buffer;
        qint64 size = 0;
        std::shared_ptr<LineDecoder> lines;
        qint64 receivedMs = 0;
    };
    Q_INVOKABLE void drain();

    const bool m_keepManagedFields;
    std::mutex m_mutex;
    std::deque<Job> m_jobs;
    std::vector<DecodedChunk> m_done;
    bool m_drainQueued = false;
    bool m_readySignalled = false;
};

} // namespace cw::watch
