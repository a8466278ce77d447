// SPDX-License-Identifier: Apache-2.0
// What the watch-line decoder refuses, and that it refuses nothing that is valid: every malformed form named,
// random corruption, and agreement with simdjson's own validating parser.
#include "podfixture.h"
#include "testmain.h"
#include "watchevent.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <simdjson.h>

using namespace cw::watch;
using cw::test::line;
using cw::test::podObject;

class TestWatchEventRefusals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bad_lines_are_decode_errors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("fragment");
        const QString invalid = QStringLiteral("invalid JSON");
        QTest::newRow("not JSON") << QByteArray("hello") << invalid;
        QTest::newRow("empty") << QByteArray() << invalid;
        QTest::newRow("top-level array") << QByteArray("[1,2]") << invalid;
        QTest::newRow("truncated") << QByteArray(
                                          R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"1"})")
                                   << invalid;
        QTest::newRow("invalid UTF-8")
            << line("ADDED", "{\"metadata\":{\"name\":\"\xff\",\"resourceVersion\":\"1\"}}")
            << QStringLiteral("UTF-8");
        QTest::newRow("UTF-16 surrogate encoded as UTF-8")
            << line("ADDED", "{\"metadata\":{\"name\":\"\xed\xa0\x80\",\"resourceVersion\":\"1\"}}")
            << QStringLiteral("UTF-8");
        QTest::newRow("unknown type") << line("UPSERTED", R"({"metadata":{"resourceVersion":"1"}})")
                                      << QStringLiteral("unknown event type \"UPSERTED\"");
        QTest::newRow("no type") << QByteArray(R"({"object":{"metadata":{"resourceVersion":"1"}}})")
                                 << QStringLiteral("no \"type\"");
        QTest::newRow("type not a string")
            << QByteArray(R"({"type":1,"object":{"metadata":{"resourceVersion":"1"}}})")
            << QStringLiteral("type is not a string");
        QTest::newRow("no object") << QByteArray(R"({"type":"ADDED"})") << QStringLiteral("no \"object\"");
        QTest::newRow("null object") << QByteArray(R"({"type":"ADDED","object":null})")
                                     << QStringLiteral("not a JSON object");
        QTest::newRow("array object")
            << QByteArray(R"({"type":"ADDED","object":[]})") << QStringLiteral("not a JSON object");
        QTest::newRow("modified without resourceVersion") << line("MODIFIED", R"({"metadata":{"name":"a"}})")
                                                          << QStringLiteral("no metadata.resourceVersion");
        QTest::newRow("bookmark without resourceVersion")
            << line("BOOKMARK", R"({"kind":"Pod","metadata":{}})")
            << QStringLiteral("no metadata.resourceVersion");
        QTest::newRow("numeric resourceVersion")
            << line("ADDED", R"({"metadata":{"resourceVersion":12}})")
            << QStringLiteral("metadata.resourceVersion is not a string");
        QTest::newRow("metadata not an object")
            << line("ADDED", R"({"metadata":"x"})") << QStringLiteral("metadata is not a JSON object");
        QTest::newRow("trailing content")
            << line("ADDED", R"({"metadata":{"resourceVersion":"1"}})") + " {}" << QString();
        QTest::newRow("bad literal deep in spec")
            << line("ADDED", R"({"metadata":{"resourceVersion":"1"},"spec":{"x":[1,{"y":tru}]}})") << invalid;
        QTest::newRow("missing comma in status")
            << line("ADDED", R"({"metadata":{"resourceVersion":"1"},"status":{"a":1 "b":2}})") << invalid;
        QTest::newRow("bad escape")
            << line("ADDED", "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"x\":\"\\q\"}}")
            << invalid;
        // Escapes are checked in one pass over the line, so keys and unread strings need no unescaping.
        const auto withSpec = [](const char *spec) {
            return line("ADDED", QByteArray(R"({"metadata":{"resourceVersion":"1"},"spec":)") + spec + '}');
        };
        const QString escape = QStringLiteral("invalid escape sequence");
        QTest::newRow("bad escape in a key") << withSpec("{\"\\q\":1}") << escape;
        QTest::newRow("truncated unicode escape") << withSpec("{\"a\":\"\\u12\"}") << escape;
        QTest::newRow("non-hex unicode escape") << withSpec("{\"a\":\"\\u12G4\"}") << escape;
        QTest::newRow("lone high surrogate") << withSpec("{\"a\":\"\\ud800x\"}") << escape;
        QTest::newRow("lone low surrogate") << withSpec("{\"a\":\"\\udc00\"}") << escape;
        QTest::newRow("high surrogate before a non-surrogate")
            << withSpec("{\"a\":\"\\ud800\\u0041\"}") << escape;
        QTest::newRow("raw control character")
            << line("ADDED", "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"x\":\"a\x01\"}}")
            << invalid;
        QTest::newRow("bad number") << line("ADDED", R"({"metadata":{"resourceVersion":"1"},"spec":{"x":-}})")
                                    << invalid;
        // Tokens in an order the grammar does not allow.
        for (const char *spec :
             {R"({"x":"a"b})", R"({"x":"a"1})", "[1 2]",        R"(["a" "b"])", R"(["a""b"])", R"({"x" 1})",
              R"({"x":1,})",   "[1,]",          "[,1]",         R"({,"x":1})",  R"({"x":})",   R"({"x"})",
              R"({1:2})",      "{[]:1}",        R"({"x":1:2})", "[1}",          R"({"x":1])",  "[:]",
              R"({"x":1}})",   "tru e",         "[1,2]]"}) {
            QTest::newRow(qPrintable(QStringLiteral("misplaced tokens %1").arg(QLatin1StringView(spec))))
                << withSpec(spec) << invalid;
        }
        // Numbers and literals that are not kept are checked against the grammar, in objects and arrays.
        for (const char *bad : {"01", "-01", "1.", "1.e5", "1e", "1e+", "+1", ".5", "-", "1x", "0x1F",
                                "1.5.2", "truex", "fals", "nul", "nulll", "tRue"}) {
            QTest::newRow(
                qPrintable(QStringLiteral("bad scalar %1 in an object").arg(QLatin1StringView(bad))))
                << withSpec(QByteArray(QByteArray("{\"a\":") + bad + "}").constData()) << invalid;
            QTest::newRow(qPrintable(QStringLiteral("bad scalar %1 in an array").arg(QLatin1StringView(bad))))
                << withSpec(QByteArray(QByteArray("[1,") + bad + ",2]").constData()) << invalid;
        }
        QTest::newRow("garbage inside dropped managedFields")
            << line("ADDED", R"({"metadata":{"resourceVersion":"1","managedFields":[nul]}})") << invalid;
        QTest::newRow("hostile nesting")
            << line("ADDED", R"({"metadata":{"resourceVersion":"1"},"spec":)" + QByteArray(100'000, '[') +
                                 QByteArray(100'000, ']') + '}')
            << invalid;
    }
    void every_json_number_and_literal_is_accepted()
    {
        const QByteArray spec =
            R"({"n":[0,-0,7,-12,1.5,-0.25,1e9,1E+10,2.5e-3,123456789012345678901234567890,)"
            R"(1e400],"t":true,"f":false,"z":null,"s":[ 1 , true , null ],"e":{}})";
        const auto result = decodeWatchLine(
            line("ADDED", R"({"metadata":{"name":"x","resourceVersion":"1"},"spec":)" + spec + '}'), false);
        const auto *event = std::get_if<WatchEvent>(&result);
        const auto *error = std::get_if<DecodeError>(&result);
        QVERIFY2(event, qPrintable(error ? error->message : QString()));
        QVERIFY(event->object.contains(spec));
    }

    void bad_lines_are_decode_errors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, fragment);
        const auto result = decodeWatchLine(input, false);
        const auto *error = std::get_if<DecodeError>(&result);
        QVERIFY(error);
        QVERIFY(!error->message.isEmpty());
        QVERIFY2(error->message.contains(fragment), qPrintable(error->message));
        QVERIFY(error->position <= input.size());
    }

    void no_truncation_or_corruption_of_an_event_crashes()
    {
        const QByteArray good = line("ADDED", podObject(8));
        for (qsizetype length = 0; length < good.size(); ++length)
            QVERIFY(std::holds_alternative<DecodeError>(decodeWatchLine(QByteArrayView(good).first(length))));
        QRandomGenerator random(99);
        int accepted = 0;
        for (int round = 0; round < 3000; ++round) {
            QByteArray mutated = good;
            const int flips = 1 + int(random.bounded(3));
            for (int f = 0; f < flips; ++f)
                mutated[qsizetype(random.bounded(quint32(mutated.size())))] = char(random.bounded(256));
            const auto result = decodeWatchLine(mutated, round % 2 == 0);
            if (const auto *event = std::get_if<WatchEvent>(&result)) {
                ++accepted;
                // Whatever is accepted must be JSON another parser agrees with.
                QJsonParseError error;
                QJsonDocument::fromJson(event->object, &error);
                QVERIFY2(error.error == QJsonParseError::NoError, event->object.constData());
            }
        }
        QVERIFY(accepted > 0); // mutations inside string values stay valid; those must still decode
    }

    void the_decoder_refuses_exactly_what_a_validating_parser_refuses()
    {
        // simdjson's DOM parser checks the whole grammar on its own (its stage 2 builds a tape); the decoder
        // walks stage 1's index itself. Over random edits of a real event, biased to the characters that
        // make JSON's structure, both must agree on what is JSON. Numbers are left out: the DOM parser
        // also refuses valid ones it cannot represent (1e400), and the grammar table above covers them.
        const QByteArray good = line("MODIFIED", podObject(6, 1500));
        const char structural[] = "{}[]\":,\\ \t\r-0tfnu\x01\xff";
        simdjson::dom::parser reference;
        QRandomGenerator random(2026);
        int checked = 0;
        int invalid = 0;
        for (int round = 0; round < 20000; ++round) {
            QByteArray mutated = good;
            for (int edit = 1 + int(random.bounded(3)); edit > 0; --edit) {
                const auto at = qsizetype(random.bounded(quint32(mutated.size())));
                const char c = random.bounded(2) ? structural[random.bounded(quint32(sizeof structural - 1))]
                                                 : char(random.bounded(256));
                switch (random.bounded(3)) {
                case 0:
                    mutated[at] = c;
                    break;
                case 1:
                    mutated.insert(at, c);
                    break;
                default:
                    mutated.remove(at, 1);
                }
            }
            const simdjson::padded_string padded(mutated.constData(), size_t(mutated.size()));
            const simdjson::error_code verdict = reference.parse(padded).error();
            if (verdict == simdjson::NUMBER_ERROR)
                continue;
            const auto result = decodeWatchLine(mutated, round % 2 == 0);
            const auto *error = std::get_if<DecodeError>(&result);
            // Invalid JSON is always refused (a field of the wrong type may be what is named first); valid
            // JSON is never called invalid (it may still not be an event).
            const bool refused = error && error->message.startsWith(u"invalid JSON");
            QVERIFY2(verdict == simdjson::SUCCESS ? !refused : error != nullptr,
                     qPrintable(QString::fromLatin1(simdjson::error_message(verdict)) + u" | " +
                                (error ? error->message : QStringLiteral("accepted")) + u" | " +
                                QString::fromLatin1(mutated.toPercentEncoding(" {}[]\":,"))));
            ++checked;
            invalid += verdict != simdjson::SUCCESS;
        }
        // Most edits must land where they break the grammar, and many where they do not.
        QVERIFY2(checked > 19000, qPrintable(QString::number(checked)));
        QVERIFY2(invalid > checked / 4 && invalid < checked * 3 / 4, qPrintable(QString::number(invalid)));
    }
};

CW_TEST(TestWatchEventRefusals)
#include "tst_watchevent_refusals.moc"
