// SPDX-License-Identifier: Apache-2.0
#include "decodeworker.h"
#include "podfixture.h"
#include "testmain.h"

#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <variant>

using namespace cw::watch;

namespace {

QByteArray eventLine(int i)
{
    return R"({"type":"MODIFIED","object":)" + cw::test::podObject(i, 1000 + (i * 677) % 6000) + "}\n";
}

const QByteArray tornLine = R"({"type":"MODIFIED","object":{"metadata":{"name":"torn","resourceVersion":)"
                            "\n";

struct Read
{
    QByteArray buffer; // the read's bytes and DecodePadding more
    qint64 size = 0;
};

// A stream cut into reads the way a socket delivers them: mostly small, now and then a large one, cut
// anywhere (inside lines too).
QList<Read> cutIntoReads(const QByteArray &stream, quint64 seed)
{
    QRandomGenerator random(seed);
    QList<Read> reads;
    qsizetype from = 0;
    while (from < stream.size()) {
        const qsizetype wanted =
            random.bounded(4) == 0 ? 100'000 + random.bounded(300'000) : 1 + random.bounded(9000);
        const qsizetype size = std::min(wanted, stream.size() - from);
        QByteArray buffer(size + DecodePadding, Qt::Uninitialized);
        std::memcpy(buffer.data(), stream.constData() + from, size_t(size));
        std::memset(buffer.data() + size, 'x', DecodePadding);
        reads.append(Read{buffer, size});
        from += size;
    }
    return reads;
}

class Threads
{
public:
    Threads()
    {
        for (QThread &thread : m_threads)
            thread.start();
    }
    ~Threads()
    {
        for (QThread &thread : m_threads) {
            thread.quit();
            thread.wait();
        }
    }
    QList<QThread *> list() { return {&m_threads[0], &m_threads[1]}; }

private:
    QThread m_threads[2];
};

} // namespace

class TestDecodeWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reads_decoded_side_by_side_come_back_in_order_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("in the worker's own thread") << 0;
        QTest::newRow("in two threads") << 2;
    }
    void reads_decoded_side_by_side_come_back_in_order()
    {
        QFETCH(int, threads);
        constexpr int events = 600;
        QByteArray stream;
        QList<qint64> offsets; // of every line, torn ones included
        for (int i = 0; i < events; ++i) {
            offsets.append(stream.size());
            stream += i % 97 == 50 ? tornLine : eventLine(i);
        }
        Threads pool;
        DecodeWorker worker(false, threads == 0 ? QList<QThread *>() : pool.list());
        std::vector<DecodedChunk> chunks;
        connect(&worker, &DecodeWorker::decodedReady, this, [&] {
            for (DecodedChunk &chunk : worker.takeDecoded())
                chunks.push_back(std::move(chunk));
        });

        LineDecoder lines;
        const QList<Read> reads = cutIntoReads(stream, 7);
        for (qsizetype r = 0; r < reads.size(); ++r) {
            QByteArray buffer = reads[r].buffer;
            const QList<Line> split =
                lines.feedInPlace(QByteArrayView(buffer).first(reads[r].size), DecodePadding);
            worker.post(quint64(r), std::move(buffer), reads[r].size, split, 1000 + r);
        }
        QTRY_COMPARE_WITH_TIMEOUT(qsizetype(chunks.size()), reads.size(), 60'000);

        int line = 0;
        for (qsizetype r = 0; r < reads.size(); ++r) {
            const DecodedChunk &chunk = chunks[size_t(r)];
            QCOMPARE(chunk.request, quint64(r));
            QCOMPARE(chunk.receivedMs, 1000 + r);
            QCOMPARE(chunk.bytes, reads[r].size);
            QVERIFY(chunk.buffer.size() >= reads[r].size); // handed back for the next read
            for (const DecodedLine &decoded : chunk.lines) {
                QVERIFY(line < events);
                QCOMPARE(decoded.offset, offsets[line]);
                if (line % 97 == 50) {
                    QVERIFY2(std::holds_alternative<DecodeError>(decoded.result),
                             qPrintable(QString::number(line)));
                } else {
                    const auto *event = std::get_if<WatchEvent>(&decoded.result);
                    QVERIFY2(event, qPrintable(QString::number(line)));
                    QCOMPARE(event->name, QStringLiteral("web-%1").arg(line));
                    QCOMPARE(event->resourceVersion, QString::number(100000 + line));
                    QVERIFY(!event->object.contains("managedFields"));
                }
                ++line;
            }
        }
        QCOMPARE(line, events);
    }

    void a_worker_deleted_with_reads_still_out_lets_go_of_them()
    {
        QByteArray stream;
        for (int i = 0; i < 300; ++i)
            stream += eventLine(i);
        Threads pool;
        for (int round = 0; round < 5; ++round) {
            auto worker = std::make_unique<DecodeWorker>(false, pool.list());
            int ready = 0;
            connect(worker.get(), &DecodeWorker::decodedReady, this, [&] { ++ready; });
            LineDecoder lines;
            const QList<Read> reads = cutIntoReads(stream, quint64(round));
            for (qsizetype r = 0; r < reads.size(); ++r) {
                QByteArray buffer = reads[r].buffer;
                const QList<Line> split =
                    lines.feedInPlace(QByteArrayView(buffer).first(reads[r].size), DecodePadding);
                worker->post(quint64(r), std::move(buffer), reads[r].size, split, 0);
            }
            worker.reset(); // with most reads still queued or being decoded
            QTest::qWait(round * 20);
            QCOMPARE(ready, 0); // nothing reaches the receiver of a deleted worker
        }
    }
};

CW_TEST(TestDecodeWorker)
#include "tst_decodeworker.moc"
