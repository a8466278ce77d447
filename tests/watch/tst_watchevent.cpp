// SPDX-License-Identifier: Apache-2.0
#include "linedecoder.h"
#include "podfixture.h"
#include "testmain.h"
#include "watchevent.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <simdjson.h>

#include <algorithm>
#include <ctime>

using namespace cw::watch;
using Type = WatchEvent::Type;
using cw::test::podObject;

Q_DECLARE_METATYPE(cw::watch::WatchEvent::Type)

namespace {

QByteArray line(const char *type, const QByteArray &object)
{
    return QByteArray(R"({"type":")") + type + R"(","object":)" + object + '}';
}

double threadCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

WatchEvent decodeOk(QByteArrayView input, bool keepManagedFields = false)
{
    auto result = decodeWatchLine(input, keepManagedFields);
    if (const auto *error = std::get_if<DecodeError>(&result))
        qWarning("unexpected decode error: %s", qPrintable(error->message));
    return std::get<WatchEvent>(result);
}

} // namespace

class TestWatchEvent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void the_pod_fixture_is_a_4k_event()
    {
        QCOMPARE(line("ADDED", podObject(1)).size(), 4096);
        QCOMPARE(QJsonDocument::fromJson(line("ADDED", podObject(1))).isObject(), true);
    }

    void each_event_type_decodes_to_its_record_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<Type>("type");
        QTest::addColumn<QString>("ns");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("uid");
        QTest::addColumn<QString>("rv");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("apiVersion");
        QTest::addColumn<bool>("initialEventsEnd");
        const QString u = QStringLiteral("u-1");
        QTest::newRow("added pod")
            << line(
                   "ADDED",
                   R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-0","namespace":"demo","uid":"u-1","resourceVersion":"48214"}})")
            << Type::Added << QStringLiteral("demo") << QStringLiteral("web-0") << u
            << QStringLiteral("48214") << QStringLiteral("Pod") << QStringLiteral("v1") << false;
        QTest::newRow("modified pod with fields in another order")
            << QByteArray(
                   R"({"object":{"metadata":{"resourceVersion":"9","uid":"u-1","namespace":"demo","name":"web-0"},"apiVersion":"v1","kind":"Pod"},"type":"MODIFIED"})")
            << Type::Modified << QStringLiteral("demo") << QStringLiteral("web-0") << u << QStringLiteral("9")
            << QStringLiteral("Pod") << QStringLiteral("v1") << false;
        QTest::newRow("deleted pod")
            << line(
                   "DELETED",
                   R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-0","namespace":"demo","uid":"u-1","resourceVersion":"50000"}})")
            << Type::Deleted << QStringLiteral("demo") << QStringLiteral("web-0") << u
            << QStringLiteral("50000") << QStringLiteral("Pod") << QStringLiteral("v1") << false;
        QTest::newRow("cluster-scoped node")
            << line(
                   "ADDED",
                   R"({"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a","uid":"u-1","resourceVersion":"7"}})")
            << Type::Added << QString() << QStringLiteral("node-a") << u << QStringLiteral("7")
            << QStringLiteral("Node") << QStringLiteral("v1") << false;
        QTest::newRow("bookmark")
            << line(
                   "BOOKMARK",
                   R"({"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48990"},"spec":{"containers":null},"status":{}})")
            << Type::Bookmark << QString() << QString() << QString() << QStringLiteral("48990")
            << QStringLiteral("Pod") << QStringLiteral("v1") << false;
        QTest::newRow("initial-events-end bookmark")
            << line(
                   "BOOKMARK",
                   R"({"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"10245","annotations":{"k8s.io/initial-events-end":"true"}}})")
            << Type::Bookmark << QString() << QString() << QString() << QStringLiteral("10245")
            << QStringLiteral("Pod") << QStringLiteral("v1") << true;
        QTest::newRow("escaped and non-ASCII name")
            << line("ADDED", "{\"kind\":\"Widget\",\"apiVersion\":\"example.com/"
                             "v1\",\"metadata\":{\"name\":\"caf\\u00e9-\xe6\x97\xa5\",\"namespace\":\"d\","
                             "\"uid\":\"u-1\",\"resourceVersion\":\"3\"}}")
            << Type::Added << QStringLiteral("d") << QStringLiteral(u"café-日") << u << QStringLiteral("3")
            << QStringLiteral("Widget") << QStringLiteral("example.com/v1") << false;
        QTest::newRow("every escape in a kept field")
            << line("ADDED", "{\"metadata\":{\"name\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\ud83d\\ude00\\u00e9\\u0041\","
                             "\"uid\":\"u-1\",\"resourceVersion\":\"4\"}}")
            << Type::Added << QString() << QStringLiteral(u"q\"b\\s/b\bf\fn\nr\rt\t\U0001F600éA") << u
            << QStringLiteral("4") << QString() << QString() << false;
        QTest::newRow("whitespace around every token")
            << QByteArray(" {\n \"type\" : \"DELETED\" ,\r\n\t\"object\" :{ \"kind\" : \"Pod\" , \"metadata\" : "
                          "{ \"name\" : \"a\" , \"namespace\":\"n\",\"uid\" :\"u-1\", \"resourceVersion\"\t:\t\"5\" "
                          "} , \"spec\" : [ 1 , { } , [ ] , \"x\" ] } } ")
            << Type::Deleted << QStringLiteral("n") << QStringLiteral("a") << u << QStringLiteral("5")
            << QStringLiteral("Pod") << QString() << false;
    }
    void each_event_type_decodes_to_its_record()
    {
        QFETCH(QByteArray, input);
        const WatchEvent event = decodeOk(input);
        QTEST(event.type, "type");
        QTEST(event.ns, "ns");
        QTEST(event.name, "name");
        QTEST(event.uid, "uid");
        QTEST(event.resourceVersion, "rv");
        QTEST(event.kind, "kind");
        QTEST(event.apiVersion, "apiVersion");
        QTEST(event.initialEventsEnd, "initialEventsEnd");
    }

    void objects_share_their_kind_api_version_and_namespace()
    {
        // "Pod" and "demo" fall into the same set of the decoder's cache (libstdc++'s hash): both must stay.
        const WatchEvent a = decodeOk(line("ADDED", podObject(1)));
        const WatchEvent b = decodeOk(line("MODIFIED", podObject(2)));
        QCOMPARE(a.kind, QStringLiteral("Pod"));
        QCOMPARE(a.ns, QStringLiteral("demo"));
        QCOMPARE(b.kind.constData(), a.kind.constData());
        QCOMPARE(b.apiVersion.constData(), a.apiVersion.constData());
        QCOMPARE(b.ns.constData(), a.ns.constData());
        QVERIFY(b.name.constData() != a.name.constData());
    }

    void the_object_is_passed_on_byte_for_byte()
    {
        const QByteArray object =
            "{\"metadata\":{\"resourceVersion\":\"1\",\"name\":\"a\\u0041\"}, \"spec\" : "
            "{\"z\":1,\"a\":[1.50,2e3,true,null]}}";
        QCOMPARE(decodeOk(line("ADDED", object)).object, object);
        const QByteArray pod = podObject(3);
        QCOMPARE(decodeOk(line("ADDED", pod), true).object, pod);
    }

    void valid_escapes_are_accepted_and_passed_on_verbatim_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::newRow("every short escape") << QByteArray("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}");
        QTest::newRow("escaped key") << QByteArray("{\"a\\u0062\":1}");
        QTest::newRow("surrogate pair") << QByteArray("{\"emoji\":\"\\ud83d\\ude80\"}");
        QTest::newRow("escaped backslash before a closing quote") << QByteArray("{\"a\":\"x\\\\\"}");
        QTest::newRow("unicode escapes of every case") << QByteArray("{\"a\":\"\\u00E9\\u00e9\"}");
    }
    void valid_escapes_are_accepted_and_passed_on_verbatim()
    {
        QFETCH(QByteArray, spec);
        const QByteArray object = R"({"metadata":{"resourceVersion":"1"},"spec":)" + spec + '}';
        QCOMPARE(decodeOk(line("ADDED", object)).object, object);
        QVERIFY(QJsonDocument::fromJson(object).isObject());
    }

    void managed_fields_are_cut_cleanly_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<bool>("keep");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("in the middle")
            << line(
                   "MODIFIED",
                   R"({"metadata":{"name":"a","managedFields":[{"manager":"kubectl"}],"resourceVersion":"1"}})")
            << false << QByteArray(R"({"metadata":{"name":"a","resourceVersion":"1"}})");
        QTest::newRow("first member")
            << line("MODIFIED", R"({"metadata":{"managedFields":[],"name":"a","resourceVersion":"1"}})")
            << false << QByteArray(R"({"metadata":{"name":"a","resourceVersion":"1"}})");
        QTest::newRow("last member")
            << line("MODIFIED",
                    R"({"metadata":{"name":"a","resourceVersion":"1","managedFields":[{"f":{}}]},"spec":{}})")
            << false << QByteArray(R"({"metadata":{"name":"a","resourceVersion":"1"},"spec":{}})");
        QTest::newRow("only member") << line("ERROR", R"({"metadata":{"managedFields":[]},"code":500})")
                                     << false << QByteArray(R"({"metadata":{},"code":500})");
        QTest::newRow("with whitespace")
            << line(
                   "MODIFIED",
                   R"({"metadata" : { "name" : "a" , "managedFields" : [ {"m":1} ] , "resourceVersion":"1" } })")
            << false << QByteArray(R"({"metadata" : { "name" : "a" ,  "resourceVersion":"1" } })");
        QTest::newRow("last member with whitespace")
            << line("MODIFIED", R"({"metadata":{"name":"a", "resourceVersion":"1" , "managedFields" : [] }})")
            << false << QByteArray(R"({"metadata":{"name":"a", "resourceVersion":"1" }})");
        QTest::newRow("a field of that name elsewhere stays")
            << line("MODIFIED", R"({"metadata":{"resourceVersion":"1"},"spec":{"managedFields":[1]}})")
            << false << QByteArray(R"({"metadata":{"resourceVersion":"1"},"spec":{"managedFields":[1]}})");
        QTest::newRow("kept on request")
            << line(
                   "MODIFIED",
                   R"({"metadata":{"name":"a","managedFields":[{"manager":"kubectl"}],"resourceVersion":"1"}})")
            << true
            << QByteArray(
                   R"({"metadata":{"name":"a","managedFields":[{"manager":"kubectl"}],"resourceVersion":"1"}})");
    }
    void managed_fields_are_cut_cleanly()
    {
        QFETCH(QByteArray, input);
        QFETCH(bool, keep);
        QFETCH(QByteArray, expected);
        const WatchEvent event = decodeOk(input, keep);
        QCOMPARE(event.object, expected);
        QJsonParseError error;
        QVERIFY(QJsonDocument::fromJson(event.object, &error).isObject());
    }

    void a_real_pod_loses_about_a_third_to_managed_fields()
    {
        const QByteArray pod = podObject(5);
        const WatchEvent event = decodeOk(line("ADDED", pod));
        const QJsonObject stripped = QJsonDocument::fromJson(event.object).object();
        QJsonObject original = QJsonDocument::fromJson(pod).object();
        QJsonObject metadata = original.value(QStringLiteral("metadata")).toObject();
        metadata.remove(QStringLiteral("managedFields"));
        original.insert(QStringLiteral("metadata"), metadata);
        QCOMPARE(stripped, original);
        QVERIFY(event.object.size() < pod.size() * 3 / 4);
    }

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
        for (const char *spec : {R"({"x":"a"b})", R"({"x":"a"1})", "[1 2]", R"(["a" "b"])", R"(["a""b"])",
                                 R"({"x" 1})", R"({"x":1,})", "[1,]", "[,1]", R"({,"x":1})", R"({"x":})",
                                 R"({"x"})", R"({1:2})", "{[]:1}", R"({"x":1:2})", "[1}", R"({"x":1])", "[:]",
                                 R"({"x":1}})", "tru e", "[1,2]]"}) {
            QTest::newRow(qPrintable(QStringLiteral("misplaced tokens %1").arg(QLatin1StringView(spec))))
                << withSpec(spec) << invalid;
        }
        // Numbers and literals that are not kept are checked against the grammar, in objects and arrays.
        for (const char *bad : {"01", "-01", "1.", "1.e5", "1e", "1e+", "+1", ".5", "-", "1x", "0x1F", "1.5.2",
                                "truex", "fals", "nul", "nulll", "tRue"}) {
            QTest::newRow(qPrintable(QStringLiteral("bad scalar %1 in an object").arg(QLatin1StringView(bad))))
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
        const QByteArray spec = R"({"n":[0,-0,7,-12,1.5,-0.25,1e9,1E+10,2.5e-3,123456789012345678901234567890,)"
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

    void error_events_carry_their_status_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<QStringList>("causes");
        QTest::newRow("410 expired")
            << line(
                   "ERROR",
                   R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 41000 (47950)","reason":"Expired","code":410})json")
            << 410 << QStringLiteral("Expired") << QStringLiteral("too old resource version: 41000 (47950)")
            << 0 << QStringList();
        QTest::newRow("504 too large resource version")
            << line(
                   "ERROR",
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: Too large resource version: 50, current: 40","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})")
            << 504 << QStringLiteral("Timeout")
            << QStringLiteral("Timeout: Too large resource version: 50, current: 40") << 1
            << QStringList{QStringLiteral("ResourceVersionTooLarge")};
        QTest::newRow("500 without details")
            << line(
                   "ERROR",
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"boom","reason":"InternalError","code":500})")
            << 500 << QStringLiteral("InternalError") << QStringLiteral("boom") << 0 << QStringList();
    }
    void error_events_carry_their_status()
    {
        QFETCH(QByteArray, input);
        const WatchEvent event = decodeOk(input);
        QCOMPARE(event.type, Type::Error);
        QTEST(event.code, "code");
        QTEST(event.reason, "reason");
        QTEST(event.message, "message");
        QTEST(event.retryAfterSeconds, "retryAfter");
        QTEST(event.causes, "causes");
        QCOMPARE(event.kind, QStringLiteral("Status"));
    }

    void a_malformed_line_is_reported_with_its_offset_and_later_lines_still_decode()
    {
        const QByteArray first = line("ADDED", podObject(1));
        const QByteArray bad =
            line("ADDED", R"({"metadata":{"name":"bad","resourceVersion":"2"},"spec":{"a":tru}})");
        const QByteArray third = line("MODIFIED", podObject(3));
        const QByteArray stream = first + '\n' + bad + '\n' + third + '\n';

        LineDecoder decoder;
        QList<Line> lines;
        for (qsizetype from = 0; from < stream.size(); from += 7)
            lines +=
                decoder.feed(QByteArrayView(stream).sliced(from, qMin<qsizetype>(7, stream.size() - from)));
        QCOMPARE(lines.size(), 3);

        QStringList decoded;
        std::optional<std::pair<qint64, DecodeError>> failure;
        for (const Line &l : lines) {
            auto result = decodeWatchLine(l.bytes);
            if (auto *event = std::get_if<WatchEvent>(&result))
                decoded.append(event->name);
            else
                failure = std::pair(l.offset, std::get<DecodeError>(result));
        }
        QCOMPARE(decoded, (QStringList{QStringLiteral("web-1"), QStringLiteral("web-3")}));
        QVERIFY(failure.has_value());
        QCOMPARE(failure->first, first.size() + 1);
        // The position points near the broken literal, not at the start of the line.
        QVERIFY2(failure->second.position >= bad.indexOf("tru") - 2,
                 qPrintable(QString::number(failure->second.position)));
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

    void a_line_parsed_in_place_decodes_as_its_copy_does()
    {
        // In place, the parser may read past the line: its terminator, then the next line, half an event,
        // bytes that would close or continue the JSON. None of it may change the result.
        const QByteArray good = line("MODIFIED", podObject(4));
        QList<QByteArray> inputs{
            good,
            line("ERROR", R"({"kind":"Status","code":410,"reason":"Expired"})"),
            line("ADDED", R"({"metadata":{"name":"bad","resourceVersion":"2"},"spec":{"a":tru}})"),
            QByteArray(R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}})"),
            QByteArray("12"),
            QByteArray(R"({"type":"ADDED","object":{"n":1)")};
        for (qsizetype length = 0; length < good.size(); length += 37)
            inputs.append(good.first(length));
        const QList<QByteArray> rests{QByteArray(64, '}'),
                                      QByteArray(64, ']'),
                                      QByteArray(64, '7'),
                                      QByteArray(64, '"'),
                                      good,
                                      QByteArray(64, '\0'),
                                      ",\"x\":1}}" + QByteArray(64, ' ')};
        for (const QByteArray &input : std::as_const(inputs)) {
            const DecodeResult copied = decodeWatchLine(input);
            for (const QByteArray &terminator : {QByteArray("\n"), QByteArray("\r\n")}) {
                for (const QByteArray &rest : rests) {
                    const QByteArray buffer = input + terminator + rest;
                    const DecodeResult inPlace =
                        decodeWatchLine(QByteArrayView(buffer).first(input.size()), false, buffer.size());
                    QCOMPARE(inPlace.index(), copied.index());
                    if (const auto *event = std::get_if<WatchEvent>(&copied)) {
                        const auto &other = std::get<WatchEvent>(inPlace);
                        QCOMPARE(other.object, event->object);
                        QCOMPARE(other.resourceVersion, event->resourceVersion);
                        QCOMPARE(other.code, event->code);
                    } else {
                        const auto &error = std::get<DecodeError>(copied);
                        QCOMPARE(std::get<DecodeError>(inPlace).message, error.message);
                        QCOMPARE(std::get<DecodeError>(inPlace).position, error.position);
                    }
                }
            }
            // Without its terminator right behind it, the line is copied: the same result, whatever follows.
            const QByteArray unterminated = input + QByteArray(64, '}');
            const DecodeResult guarded =
                decodeWatchLine(QByteArrayView(unterminated).first(input.size()), false, unterminated.size());
            QCOMPARE(guarded.index(), copied.index());
            if (const auto *error = std::get_if<DecodeError>(&copied))
                QCOMPARE(std::get<DecodeError>(guarded).message, error->message);
        }
    }

    void a_fifty_megabyte_event_decodes()
    {
        const QByteArray huge =
            line("ADDED", R"({"metadata":{"name":"big","resourceVersion":"1","annotations":{"blob":")" +
                              QByteArray(50 * 1024 * 1024, 'b') + R"("}}})");
        QElapsedTimer timer;
        timer.start();
        const WatchEvent event = decodeOk(huge);
        qInfo("50 MB event decoded in %lld ms", timer.elapsed());
        QCOMPARE(event.name, QStringLiteral("big"));
        QCOMPARE(event.object.size(), huge.size() - qsizetype(sizeof(R"({"type":"ADDED","object":})") - 1));
        // The next small line still decodes (the big parser was not kept around broken).
        QCOMPARE(decodeOk(line("ADDED", podObject(2))).name, QStringLiteral("web-2"));
    }

    void decode_throughput_of_4k_pod_events_is_printed()
    {
        QList<QByteArray> lines;
        for (int i = 0; i < 1000; ++i)
            lines.append(line(i % 3 == 0 ? "ADDED" : "MODIFIED", podObject(i)));
        qint64 roundBytes = 0;
        for (const QByteArray &l : lines)
            roundBytes += l.size();
        // Best and median of several rounds: on a shared machine the best round is the code's own speed.
        constexpr int Rounds = 25;
        QList<double> cpuSeconds;
        qint64 check = 0;
        for (int round = 0; round < Rounds; ++round) {
            const double cpuStart = threadCpuSeconds();
            for (const QByteArray &l : lines) {
                auto result = decodeWatchLine(l);
                check += std::get<WatchEvent>(result).object.size();
            }
            cpuSeconds.append(qMax(1e-9, threadCpuSeconds() - cpuStart));
        }
        QVERIFY(check > 0);
        std::sort(cpuSeconds.begin(), cpuSeconds.end());
        const auto report = [&](const char *which, double seconds) {
            qInfo("decodeWatchLine, 4 KB pod events, managedFields stripped, %s round of %d x %lld events: "
                  "%.0f MB/s, %.0f events/s (thread CPU time)",
                  which, Rounds, qint64(lines.size()), double(roundBytes) / seconds / 1e6,
                  double(lines.size()) / seconds);
        };
        report("best", cpuSeconds.first());
        report("median", cpuSeconds.at(Rounds / 2));
    }

    void decode_4k_pod_event_benchmark()
    {
        const QByteArray l = line("MODIFIED", podObject(42));
        QBENCHMARK
        {
            auto result = decodeWatchLine(l);
            QVERIFY(std::holds_alternative<WatchEvent>(result));
        }
    }
};

CW_TEST(TestWatchEvent)
#include "tst_watchevent.moc"
