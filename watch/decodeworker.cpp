// SPDX-License-Identifier: Apache-2.0
#include "decodeworker.h"

#include <QMetaObject>

namespace cw::watch {

void DecodeWorker::post(quint64 request, QByteArray buffer, qint64 size, std::shared_ptr<LineDecoder> lines,
                        bool keepManagedFields, qint64 receivedMs)
{
    QMetaObject::invokeMethod(
        this,
        [this, request, buffer = std::move(buffer), size, lines = std::move(lines), keepManagedFields,
         receivedMs]() mutable {
            auto chunk = std::make_shared<DecodedChunk>();
            chunk->request = request;
            chunk->receivedMs = receivedMs;
            chunk->bytes = size;
            const QList<Line> split =
                lines->feedInPlace(QByteArrayView(buffer).first(qsizetype(size)), DecodePadding);
            chunk->lines.reserve(split.size());
            for (const Line &line : split)
                chunk->lines.append(
                    DecodedLine{line.offset, decodeWatchLine(line.bytes, keepManagedFields, line.readable)});
            chunk->buffer = std::move(buffer);
            emit decoded(chunk);
        },
        Qt::QueuedConnection);
}

} // namespace cw::watch
