// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "linedecoder.h"
#include "watchevent.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QObject>

#include <memory>

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
// overlap: decoding is most of the work per event. Reads of one stream are decoded in the order they were
// posted and come back in that order.
class DecodeWorker : public QObject
{
    Q_OBJECT
public:
    // From any thread. `buffer` holds the read's `size` bytes and DecodePadding more that may be read;
    // `lines` is the stream's line state, which nothing else touches until this read comes back.
    void post(quint64 request, QByteArray buffer, qint64 size, std::shared_ptr<LineDecoder> lines,
              bool keepManagedFields, qint64 receivedMs);

signals:
    // The receiver owns the chunk: it may move the results out.
    void decoded(const std::shared_ptr<cw::watch::DecodedChunk> &chunk);
};

} // namespace cw::watch

Q_DECLARE_METATYPE(std::shared_ptr<cw::watch::DecodedChunk>)
