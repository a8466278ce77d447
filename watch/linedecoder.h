// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>

namespace cw::watch {

// One complete line of a newline-delimited stream.
struct Line
{
    QByteArray bytes;  // without the '\n' and without a trailing '\r'
    qint64 offset = 0; // absolute byte offset of the line's first byte in the stream, for error reports
    // Bytes that may be read from bytes.data() on (at least bytes.size()): a line that lies in a padded
    // chunk can be parsed where it is.
    qsizetype readable = 0;
};

// Splits a watch response body into lines as chunks arrive (protocol doc §3.4: one compact JSON event per
// line; HTTP chunks and lines are unrelated). A partial line is kept, not an error.
//
// Cost is linear in the bytes fed: only the new chunk is searched for '\n' (the kept tail never contains
// one), a line split over many chunks grows one buffer geometrically, and the completed buffer is moved out,
// not copied. Splitting on the byte 0x0A is safe for UTF-8: it never occurs inside a multi-byte sequence.
class LineDecoder
{
public:
    // Appends chunk and returns the lines it completed, in stream order. Empty lines (and "\r" alone) are
    // skipped: they carry no event, and their bytes still count for the offsets of later lines.
    QList<Line> feed(QByteArrayView chunk);
    // The same without copying: a line that lies wholly within chunk references chunk's bytes
    // (QByteArray::fromRawData), so the lines must not outlive chunk. For a hot read loop that decodes each
    // line at once; a line begun in an earlier chunk is still joined into a buffer of its own. `padding` is
    // how many bytes after chunk the caller allows to be read (see Line::readable).
    QList<Line> feedInPlace(QByteArrayView chunk, qsizetype padding = 0);
    // End of stream: the unterminated last line, if any (a server that closes without a final '\n').
    std::optional<Line> finish();
    // Drops everything, for reuse on a new stream.
    void reset();

    // Bytes fed since construction or reset().
    qint64 streamOffset() const { return m_streamOffset; }
    // Size of the incomplete line held back.
    qsizetype pendingSize() const { return m_tail.size(); }

private:
    QList<Line> split(QByteArrayView chunk, bool inPlace, qsizetype padding);
    void emitLine(QList<Line> &out, QByteArray &&bytes, qint64 offset) const;

    QByteArray m_tail;       // start of an incomplete line; never contains '\n'
    qint64 m_tailOffset = 0; // stream offset of m_tail's first byte
    qint64 m_streamOffset = 0;
};

} // namespace cw::watch
