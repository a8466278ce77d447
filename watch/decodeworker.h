// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "linedecoder.h"
#include "watchevent.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <memory>
#include <vector>

class QThread;

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

// Decodes a stream's reads in other threads, so that reading, decoding and applying overlap: decoding is
// most of the work per event. With several threads, consecutive reads are decoded side by side; they are
// taken back in the order they were posted all the same. Reads and results cross threads through
// mutex-guarded queues; Qt's queued calls only wake the other side.
class DecodeWorker : public QObject
{
    Q_OBJECT
public:
    // Decodes in `threads` (none: in this object's thread, between its other work).
    DecodeWorker(bool keepManagedFields, const QList<QThread *> &threads);
    ~DecodeWorker() override;

    // `buffer` holds the read's `size` bytes and DecodePadding more that may be read; `lines` are the lines
    // the read completed, split by the caller (in-place lines point into `buffer`, which moves with them).
    void post(quint64 request, QByteArray buffer, qint64 size, QList<Line> lines, qint64 receivedMs);
    // The reads decoded since the last call, in the order they were posted.
    std::vector<DecodedChunk> takeDecoded();

signals:
    // Decoded reads are waiting (once until the next takeDecoded()).
    void decodedReady();

private:
    class Drainer;
    struct Shared;
    std::shared_ptr<Shared> m_shared;
    QList<Drainer *> m_drainers; // one per decoding thread
};

} // namespace cw::watch
