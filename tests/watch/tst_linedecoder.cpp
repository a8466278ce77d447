// SPDX-License-Identifier: Apache-2.0
#include "linedecoder.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QTest>

using namespace cw::watch;

namespace {

// What the decoder must produce, computed the obvious (slow) way from the whole stream at once.
QList<Line> referenceLines(const QByteArray &stream, bool includeUnterminated)
{
    QList<Line> lines;
    qsizetype start = 0;
    while (start < stream.size()) {
        const qsizetype newline = stream.indexOf('\n', start);
        if (newline < 0 && !includeUnterminated)
            break;
        const qsizetype end = newline < 0 ? stream.size() : newline;
        QByteArray bytes = stream.mid(start, end - start);
        if (bytes.endsWith('\r'))
            bytes.chop(1);
        if (!bytes.isEmpty())
            lines.append(Line{bytes, start});
        start = end + 1;
    }
    return lines;
}

QList<Line> feedInPieces(const QByteArray &stream, const QList<qsizetype> &cuts)
{
    LineDecoder decoder;
    QList<Line> lines;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        lines += decoder.feed(QByteArrayView(stream).sliced(from, cut - from));
        from = cut;
    }
    lines += decoder.feed(QByteArrayView(stream).sliced(from));
    if (auto last = decoder.finish())
        lines.append(std::move(*last));
    return lines;
}

bool sameLines(const QList<Line> &a, const QList<Line> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].bytes != b[i].bytes || a[i].offset != b[i].offset)
            return false;
    }
    return true;
}

} // namespace

class TestLineDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void every_split_position_yields_the_same_lines_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::newRow("three events")
            << QByteArray(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                          "\n"
                          R"({"type":"MODIFIED","object":{"metadata":{"name":"b"}}})"
                          "\n"
                          R"({"type":"DELETED","object":{"metadata":{"name":"c"}}})"
                          "\n");
        // é (2 bytes), 日本 (3 bytes each), 🚀 (4 bytes): every split lands inside some sequence.
        QTest::newRow("multi-byte UTF-8")
            << QByteArray("{\"name\":\"caf\xc3\xa9\"}\n{\"label\":\"\xe6\x97\xa5\xe6\x9c\xac\"}\n"
                          "{\"emoji\":\"\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\"}\n");
        QTest::newRow("CRLF framing") << QByteArray("{\"a\":1}\r\n{\"b\":\"\xc3\xa9\"}\r\n{\"c\":3}\r\n");
        QTest::newRow("empty lines between events") << QByteArray("\n{\"a\":1}\n\n\r\n{\"b\":2}\n\n");
        QTest::newRow("unterminated last line") << QByteArray("{\"a\":1}\n{\"b\":\"\xe6\x97\xa5\"}");
        QTest::newRow("one character lines") << QByteArray("1\n2\n3\n\xc3\xa9\n");
    }
    void every_split_position_yields_the_same_lines()
    {
        QFETCH(QByteArray, stream);
        const QList<Line> expected = referenceLines(stream, true);
        QVERIFY(!expected.isEmpty());
        QVERIFY(sameLines(feedInPieces(stream, {}), expected));
        // Every way of cutting the stream into two and into three chunks.
        for (qsizetype i = 0; i <= stream.size(); ++i) {
            QVERIFY2(sameLines(feedInPieces(stream, {i}), expected), qPrintable(QString::number(i)));
            for (qsizetype j = i; j <= stream.size(); ++j)
                QVERIFY2(sameLines(feedInPieces(stream, {i, j}), expected),
                         qPrintable(QString::number(i) + QLatin1Char(',') + QString::number(j)));
        }
        // One byte at a time.
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < stream.size(); ++i)
            everyByte.append(i);
        QVERIFY(sameLines(feedInPieces(stream, everyByte), expected));
    }

    void in_place_lines_say_how_far_they_may_be_read()
    {
        const QByteArray stream("{\"a\":1}\n{\"bb\":2}\r\n{\"c\"");
        LineDecoder decoder;
        constexpr qsizetype Padding = 64;
        const QList<Line> first = decoder.feedInPlace(QByteArrayView(stream), Padding);
        QCOMPARE(first.size(), 2);
        // Up to the chunk's end and the padding behind it, measured from each line's first byte.
        QCOMPARE(first[0].readable, stream.size() + Padding);
        QCOMPARE(first[0].bytes.constData(), stream.constData());
        QCOMPARE(first[1].bytes, QByteArray("{\"bb\":2}"));
        QCOMPARE(first[1].readable, stream.size() - 8 + Padding);
        // A line joined from two chunks lives in a buffer of its own: only its own bytes are promised.
        const QByteArray rest(":3}\n");
        const QList<Line> second = decoder.feedInPlace(QByteArrayView(rest), Padding);
        QCOMPARE(second.size(), 1);
        QCOMPARE(second[0].bytes, QByteArray("{\"c\":3}"));
        QCOMPARE(second[0].readable, second[0].bytes.size());
        // Copied lines likewise.
        LineDecoder copying;
        const QList<Line> copied = copying.feed(QByteArrayView(stream));
        QCOMPARE(copied[0].readable, copied[0].bytes.size());
    }

    void a_utf8_sequence_split_across_chunks_comes_out_whole()
    {
        const QByteArray rocket("\xf0\x9f\x9a\x80");
        const QByteArray stream = "{\"emoji\":\"" + rocket + "\"}\n";
        const qsizetype inside = stream.indexOf(rocket) + 2; // between the 2nd and 3rd byte
        LineDecoder decoder;
        QVERIFY(decoder.feed(QByteArrayView(stream).first(inside)).isEmpty());
        const QList<Line> lines = decoder.feed(QByteArrayView(stream).sliced(inside));
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0].bytes, stream.chopped(1));
        QCOMPARE(QString::fromUtf8(lines[0].bytes), QStringLiteral(u"{\"emoji\":\"\U0001F680\"}"));
    }

    void a_partial_line_is_kept_not_reported()
    {
        LineDecoder decoder;
        QVERIFY(decoder.feed("{\"type\":\"ADD").isEmpty());
        QCOMPARE(decoder.pendingSize(), 12);
        const QList<Line> lines = decoder.feed("ED\"}\n{\"x\"");
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0].bytes, QByteArray("{\"type\":\"ADDED\"}"));
        QCOMPARE(lines[0].offset, 0);
        QCOMPARE(decoder.pendingSize(), 4);
        QCOMPARE(decoder.streamOffset(), 21);
    }

    void finish_returns_the_unterminated_last_line_with_its_offset()
    {
        LineDecoder decoder;
        QCOMPARE(decoder.feed("{\"a\":1}\n{\"b\":").size(), 1);
        QCOMPARE(decoder.feed("2}").size(), 0);
        const auto last = decoder.finish();
        QVERIFY(last.has_value());
        QCOMPARE(last->bytes, QByteArray("{\"b\":2}"));
        QCOMPARE(last->offset, 8);
        QVERIFY(!decoder.finish().has_value());
    }

    void finish_after_a_terminated_line_returns_nothing()
    {
        LineDecoder decoder;
        decoder.feed("{\"a\":1}\r\n\r");
        QVERIFY(!decoder.finish().has_value());
    }

    void empty_lines_are_skipped_but_still_count_for_offsets()
    {
        LineDecoder decoder;
        const QList<Line> lines = decoder.feed("\n\r\n{\"a\":1}\n\n{\"b\":2}\r\n");
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].offset, 3);
        QCOMPARE(lines[1].offset, 12);
        QCOMPARE(lines[1].bytes, QByteArray("{\"b\":2}"));
    }

    void a_cr_split_from_its_lf_is_still_stripped()
    {
        LineDecoder decoder;
        QVERIFY(decoder.feed("{\"a\":1}\r").isEmpty());
        const QList<Line> lines = decoder.feed("\n");
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0].bytes, QByteArray("{\"a\":1}"));
    }

    void reset_starts_a_new_stream()
    {
        LineDecoder decoder;
        decoder.feed("{\"a\":1}\n{\"partial");
        decoder.reset();
        QCOMPARE(decoder.pendingSize(), 0);
        const QList<Line> lines = decoder.feed("{\"b\":2}\n");
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0].offset, 0);
    }

    void a_fifty_megabyte_line_arrives_in_small_chunks_data()
    {
        QTest::addColumn<qsizetype>("chunkSize");
        QTest::newRow("16 KiB chunks") << qsizetype(16 * 1024);
        QTest::newRow("1 KiB chunks") << qsizetype(1024);
        QTest::newRow("one chunk") << qsizetype(64 * 1024 * 1024);
    }
    void a_fifty_megabyte_line_arrives_in_small_chunks()
    {
        QFETCH(qsizetype, chunkSize);
        constexpr qsizetype Huge = 50 * 1024 * 1024;
        QByteArray stream;
        stream.reserve(Huge + 64);
        stream += "{\"a\":1}\n{\"blob\":\"";
        stream += QByteArray(Huge - 11, 'x'); // the line is exactly Huge bytes
        stream += "\"}\n{\"b\":2}\n";

        LineDecoder decoder;
        QList<Line> lines;
        QElapsedTimer timer;
        timer.start();
        for (qsizetype from = 0; from < stream.size(); from += chunkSize)
            lines += decoder.feed(QByteArrayView(stream).sliced(from, qMin(chunkSize, stream.size() - from)));
        const qint64 ms = timer.elapsed();
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[1].bytes.size(), Huge);
        QCOMPARE(lines[1].offset, 8);
        QVERIFY(lines[1].bytes.startsWith("{\"blob\":\"xxx"));
        QVERIFY(lines[1].bytes.endsWith("xxx\"}"));
        QCOMPARE(lines[2].bytes, QByteArray("{\"b\":2}"));
        QCOMPARE(lines[2].offset, 8 + Huge + 1);
        // Linear, not quadratic: printed for the record (no assertion on time).
        qInfo("50 MB line in %lld-byte chunks split in %lld ms", qint64(chunkSize), ms);
    }
};

CW_TEST(TestLineDecoder)
#include "tst_linedecoder.moc"
