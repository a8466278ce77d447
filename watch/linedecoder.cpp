// SPDX-License-Identifier: Apache-2.0
#include "linedecoder.h"

#include <cstring>
#include <utility>

namespace cw::watch {

QList<Line> LineDecoder::feed(QByteArrayView chunk)
{
    return split(chunk, false, 0);
}

QList<Line> LineDecoder::feedInPlace(QByteArrayView chunk, qsizetype padding)
{
    return split(chunk, true, padding);
}

QList<Line> LineDecoder::split(QByteArrayView chunk, bool inPlace, qsizetype padding)
{
    QList<Line> lines;
    const char *data = chunk.data();
    const qsizetype size = chunk.size();
    const qint64 chunkOffset = m_streamOffset;
    m_streamOffset += size;

    qsizetype pos = 0;
    while (pos < size) {
        const void *hit = std::memchr(data + pos, '\n', size_t(size - pos));
        if (!hit)
            break;
        const qsizetype newline = static_cast<const char *>(hit) - data;
        if (!m_tail.isEmpty()) {
            // The line began in an earlier chunk: finish it in place and hand the buffer over.
            m_tail.append(data + pos, newline - pos);
            emitLine(lines, std::exchange(m_tail, QByteArray()), m_tailOffset);
        } else if (newline > pos) {
            if (inPlace) {
                // The '\r' is trimmed here: chopping a raw-data array would copy it.
                const qsizetype length = newline - pos - (data[newline - 1] == '\r' ? 1 : 0);
                if (length > 0)
                    lines.append(Line{QByteArray::fromRawData(data + pos, length), chunkOffset + pos,
                                      size - pos + padding});
            } else {
                emitLine(lines, QByteArray(data + pos, newline - pos), chunkOffset + pos);
            }
        }
        pos = newline + 1;
    }
    if (pos < size) {
        if (m_tail.isEmpty())
            m_tailOffset = chunkOffset + pos;
        m_tail.append(data + pos, size - pos);
    }
    return lines;
}

std::optional<Line> LineDecoder::finish()
{
    if (m_tail.isEmpty())
        return std::nullopt;
    QList<Line> lines;
    emitLine(lines, std::exchange(m_tail, QByteArray()), m_tailOffset);
    if (lines.isEmpty())
        return std::nullopt;
    return std::move(lines.first());
}

void LineDecoder::reset()
{
    m_tail = QByteArray();
    m_tailOffset = 0;
    m_streamOffset = 0;
}

void LineDecoder::emitLine(QList<Line> &out, QByteArray &&bytes, qint64 offset) const
{
    // CRLF framing (proxies, hand-written test servers): the '\r' belongs to the terminator, not the JSON.
    if (bytes.endsWith('\r'))
        bytes.chop(1);
    if (bytes.isEmpty())
        return;
    const qsizetype size = bytes.size();
    out.append(Line{std::move(bytes), offset, size});
}

} // namespace cw::watch
