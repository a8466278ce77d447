// SPDX-License-Identifier: Apache-2.0
#include "outputs.h"
#include "testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cw::app;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

ObjectRef record(const QString &ns, const QString &name, const QByteArray &json, const QString &kind = u"Pod"_s)
{
    auto o = std::make_shared<ObjectRecord>();
    o->object = json;
    o->ns = ns;
    o->name = name;
    o->uid = u"uid-"_s + name;
    o->resourceVersion = u"42"_s;
    o->kind = kind;
    o->apiVersion = u"v1"_s;
    return o;
}

Change change(ChangeType type, const ObjectRef &object, bool recovered = false, const QString &reason = {})
{
    Change c;
    c.type = type;
    c.object = object;
    c.recovered = recovered;
    c.recoveredReason = reason;
    c.receivedMs = 1714564800123; // 2024-05-01T12:00:00.123Z
    return c;
}

// Built rather than written out: moc's tokenizer stumbles over escaped quotes inside raw strings.
const QByteArray secretJson = QJsonDocument(QJsonObject{
    {u"apiVersion"_s, u"v1"_s}, {u"kind"_s, u"Secret"_s},
    {u"metadata"_s, QJsonObject{{u"name"_s, u"db"_s}, {u"namespace"_s, u"shop"_s},
                                {u"annotations"_s, QJsonObject{{u"kubectl.kubernetes.io/last-applied-configuration"_s,
                                                                u"{\"data\":{\"password\":\"aHVudGVyMg==\"}}"_s}}}}},
    {u"type"_s, u"Opaque"_s},
    {u"data"_s, QJsonObject{{u"password"_s, u"aHVudGVyMg=="_s}, {u"user"_s, u"YWRtaW4="_s}}},
    {u"stringData"_s, QJsonObject{{u"token"_s, u"plain"_s}}}}).toJson(QJsonDocument::Compact);

// Splits one CSV record (RFC 4180) into fields.
QStringList parseCsvRecord(const QByteArray &line)
{
    QStringList fields;
    QByteArray field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.append(QString::fromUtf8(field));
            field.clear();
        } else {
            field += c;
        }
    }
    fields.append(QString::fromUtf8(field));
    return fields;
}

} // namespace

class TestOutputs : public QObject
{
    Q_OBJECT

private slots:
    void csv_fields_are_quoted_only_when_rfc4180_requires_it_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << u"web-1"_s << QByteArray("web-1");
        QTest::newRow("empty") << QString() << QByteArray();
        QTest::newRow("comma") << u"a,b"_s << QByteArray("\"a,b\"");
        QTest::newRow("quote doubled") << u"say \"hi\""_s << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("line feed") << u"two\nlines"_s << QByteArray("\"two\nlines\"");
        QTest::newRow("carriage return") << u"cr\r"_s << QByteArray("\"cr\r\"");
        QTest::newRow("utf-8") << u"caf\u00e9"_s << QByteArray("caf\xc3\xa9");
    }
    void csv_fields_are_quoted_only_when_rfc4180_requires_it()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, expected);
        QCOMPARE(csvField(text), expected);
    }

    void csv_event_line_has_every_column_in_header_order()
    {
        const QByteArray header = EventWriter::csvHeader();
        QVERIFY(header.endsWith("\r\n"));
        QCOMPARE(parseCsvRecord(header.chopped(2)),
                 (QStringList{u"time"_s, u"cluster"_s, u"resource"_s, u"type"_s, u"namespace"_s, u"name"_s,
                              u"uid"_s, u"resourceVersion"_s, u"recovered"_s, u"reason"_s}));
        const QByteArray line = EventWriter::line(EventWriter::Format::Csv, u"prod,eu"_s, u"deployments.apps"_s,
                                                  change(ChangeType::Deleted, record(u"shop"_s, u"web"_s, "{}"), true,
                                                         u"relist after 410 \"Expired\""_s));
        QVERIFY(line.endsWith("\r\n"));
        QCOMPARE(parseCsvRecord(line.chopped(2)),
                 (QStringList{u"2024-05-01T12:00:00.123Z"_s, u"prod,eu"_s, u"deployments.apps"_s, u"DELETED"_s,
                              u"shop"_s, u"web"_s, u"uid-web"_s, u"42"_s, u"true"_s,
                              u"relist after 410 \"Expired\""_s}));
    }

    void json_event_line_has_every_field()
    {
        const QByteArray line = EventWriter::line(EventWriter::Format::JsonLines, u"sim"_s, u"pods"_s,
                                                  change(ChangeType::Modified, record(u"demo"_s, u"web-0"_s, "{}")));
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        QJsonParseError error{};
        const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value("time"_L1).toString(), u"2024-05-01T12:00:00.123Z"_s);
        QCOMPARE(o.value("cluster"_L1).toString(), u"sim"_s);
        QCOMPARE(o.value("resource"_L1).toString(), u"pods"_s);
        QCOMPARE(o.value("type"_L1).toString(), u"MODIFIED"_s);
        QCOMPARE(o.value("namespace"_L1).toString(), u"demo"_s);
        QCOMPARE(o.value("name"_L1).toString(), u"web-0"_s);
        QCOMPARE(o.value("uid"_L1).toString(), u"uid-web-0"_s);
        QCOMPARE(o.value("resourceVersion"_L1).toString(), u"42"_s);
        QCOMPARE(o.value("recovered"_L1), QJsonValue(false));
        QCOMPARE(o.value("reason"_L1).toString(), QString());
        // Fields appear in the documented order, for people reading the file.
        QVERIFY(line.startsWith("{\"time\":"));
        QVERIFY(line.indexOf("\"uid\"") < line.indexOf("\"resourceVersion\""));
    }

    void reason_is_only_given_for_recovered_events()
    {
        Change c = change(ChangeType::Added, record(u"a"_s, u"b"_s, "{}"), false, u"ignored"_s);
        QJsonObject o = QJsonDocument::fromJson(EventWriter::line(EventWriter::Format::JsonLines, {}, {}, c)).object();
        QCOMPARE(o.value("reason"_L1).toString(), QString());
        c.recovered = true;
        o = QJsonDocument::fromJson(EventWriter::line(EventWriter::Format::JsonLines, {}, {}, c)).object();
        QCOMPARE(o.value("recovered"_L1), QJsonValue(true));
        QCOMPARE(o.value("reason"_L1).toString(), u"ignored"_s);
    }

    void json_strings_survive_quotes_backslashes_and_control_characters()
    {
        const QString text = u"a\"b\\c\nd\te\u0001f\u00e9\U0001F600"_s;
        const QByteArray doc = '[' + jsonString(text) + ']';
        QJsonParseError error{};
        const QJsonArray array = QJsonDocument::fromJson(doc, &error).array();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(array.at(0).toString(), text);
        QVERIFY(!doc.contains('\n'));
    }

    void times_are_rfc3339_utc_with_milliseconds()
    {
        QCOMPARE(rfc3339(0), u"1970-01-01T00:00:00.000Z"_s);
        QCOMPARE(rfc3339(1714564800123), u"2024-05-01T12:00:00.123Z"_s);
        QCOMPARE(rfc3339(1714564800005), u"2024-05-01T12:00:00.005Z"_s);
    }

    void event_files_choose_csv_by_extension()
    {
        QCOMPARE(EventWriter::formatForPath(u"out/e.csv"_s), EventWriter::Format::Csv);
        QCOMPARE(EventWriter::formatForPath(u"E.CSV"_s), EventWriter::Format::Csv);
        QCOMPARE(EventWriter::formatForPath(u"e.jsonl"_s), EventWriter::Format::JsonLines);
        QCOMPARE(EventWriter::formatForPath(u"csv"_s), EventWriter::Format::JsonLines);
    }

    void health_line_has_state_reason_counters_and_http_code()
    {
        HealthEvent e;
        e.timeMs = 1714564800123;
        e.stream = u"pods"_s;
        e.state = StreamState::Backoff;
        e.reason = u"backoff"_s;
        e.detail = u"HTTP 503"_s;
        e.reconnects = 3;
        e.gaps = 1;
        e.backoffMs = 1600;
        e.lastResourceVersion = u"1234"_s;
        e.httpCode = 503;
        const QJsonObject o = QJsonDocument::fromJson(HealthWriter::healthLine(u"sim"_s, e)).object();
        QCOMPARE(o.value("time"_L1).toString(), u"2024-05-01T12:00:00.123Z"_s);
        QCOMPARE(o.value("cluster"_L1).toString(), u"sim"_s);
        QCOMPARE(o.value("stream"_L1).toString(), u"pods"_s);
        QCOMPARE(o.value("state"_L1).toString(), streamStateName(StreamState::Backoff));
        QCOMPARE(o.value("reason"_L1).toString(), u"backoff"_s);
        QCOMPARE(o.value("detail"_L1).toString(), u"HTTP 503"_s);
        const QJsonObject counters = o.value("counters"_L1).toObject();
        QCOMPARE(counters.value("reconnects"_L1).toInt(), 3);
        QCOMPARE(counters.value("gaps"_L1).toInt(), 1);
        QCOMPARE(counters.value("backoffMs"_L1).toInt(), 1600);
        for (const auto key : {"bytes"_L1, "events"_L1, "relists"_L1, "stalls"_L1, "errors"_L1})
            QVERIFY2(counters.contains(key), key.data());
        QCOMPARE(o.value("lastResourceVersion"_L1).toString(), u"1234"_s);
        QCOMPARE(o.value("httpCode"_L1).toInt(), 503);
    }

    void gaps_are_written_under_a_gap_key()
    {
        Gap gap{u"pods"_s, 1714564800000, 1714564801000, u"410 Expired"_s, 1, 2, 3};
        const QByteArray line = HealthWriter::gapLine(u"sim"_s, gap);
        QVERIFY(line.endsWith('\n'));
        const QJsonObject o = QJsonDocument::fromJson(line).object().value("gap"_L1).toObject();
        QCOMPARE(o.value("stream"_L1).toString(), u"pods"_s);
        QCOMPARE(o.value("cause"_L1).toString(), u"410 Expired"_s);
        QCOMPARE(o.value("start"_L1).toString(), u"2024-05-01T12:00:00.000Z"_s);
        QCOMPARE(o.value("end"_L1).toString(), u"2024-05-01T12:00:01.000Z"_s);
        QCOMPARE(o.value("added"_L1).toInt(), 1);
        QCOMPARE(o.value("modified"_L1).toInt(), 2);
        QCOMPARE(o.value("deleted"_L1).toInt(), 3);
    }

    void secret_values_are_masked_but_keys_kept()
    {
        const ObjectRef secret = record(u"shop"_s, u"db"_s, secretJson, u"Secret"_s);
        QVERIFY(isSecret(*secret));
        const QByteArray masked = maskSecret(*secret);
        QVERIFY(!masked.contains("aHVudGVyMg"));
        QVERIFY(!masked.contains("YWRtaW4"));
        QVERIFY(!masked.contains("plain"));
        const QJsonObject o = QJsonDocument::fromJson(masked).object();
        QCOMPARE(o.value("data"_L1).toObject(),
                 (QJsonObject{{u"password"_s, u"***"_s}, {u"user"_s, u"***"_s}}));
        QCOMPARE(o.value("stringData"_L1).toObject(), (QJsonObject{{u"token"_s, u"***"_s}}));
        QCOMPARE(o.value("type"_L1).toString(), u"Opaque"_s);
        const QJsonObject annotations = o.value("metadata"_L1).toObject().value("annotations"_L1).toObject();
        QCOMPARE(annotations.value("kubectl.kubernetes.io/last-applied-configuration"_L1).toString(), u"***"_s);
    }

    void unparsable_secret_keeps_only_its_identity()
    {
        const ObjectRef secret = record(u"shop"_s, u"db"_s, R"({"data":{"k":"c2VjcmV0"})", u"Secret"_s);
        const QByteArray masked = maskSecret(*secret);
        QVERIFY(!masked.contains("c2VjcmV0"));
        QCOMPARE(QJsonDocument::fromJson(masked).object().value("metadata"_L1).toObject().value("name"_L1),
                 QJsonValue(u"db"_s));
    }

    void store_masks_secrets_unless_asked_and_leaves_other_objects_byte_for_byte()
    {
        StoreWriter store;
        const QByteArray podJson = R"({"kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"x":1.50}})";
        Batch secrets;
        secrets.stream = u"secrets"_s;
        secrets.reset = true;
        secrets.snapshot = {record(u"shop"_s, u"db"_s, secretJson, u"Secret"_s)};
        store.apply(u"secrets"_s, secrets);
        Batch pods;
        pods.stream = u"pods"_s;
        pods.reset = true;
        pods.snapshot = {record(u"shop"_s, u"web"_s, podJson)};
        store.apply(u"pods"_s, pods);
        const QByteArray masked = store.document(false);
        QVERIFY(!masked.contains("aHVudGVyMg"));
        QVERIFY(masked.contains(podJson));
        QVERIFY(store.document(true).contains(secretJson));
    }

    void store_is_sorted_by_namespace_then_name_and_follows_changes()
    {
        StoreWriter store;
        Batch list;
        list.stream = u"pods"_s;
        list.reset = true;
        for (const auto &[ns, name] : {std::pair{"b", "a"}, {"a", "z"}, {"a", "b"}, {"", "node"}})
            list.snapshot.append(record(QString::fromLatin1(ns), QString::fromLatin1(name),
                                        "{\"n\":\"" + QByteArray(ns) + '/' + name + "\"}"));
        store.apply(u"pods"_s, list);
        QCOMPARE(store.objectCount(), 4);

        Batch live;
        live.stream = u"pods"_s;
        live.changes = {change(ChangeType::Deleted, record(u"a"_s, u"z"_s, "{}")),
                        change(ChangeType::Added, record(u"a"_s, u"c"_s, R"({"n":"a/c"})")),
                        change(ChangeType::Modified, record(u"a"_s, u"b"_s, R"({"n":"a/b2"})"))};
        store.apply(u"pods"_s, live);
        const QJsonArray array = QJsonDocument::fromJson(store.document(false)).array();
        QStringList order;
        for (const QJsonValue &v : array)
            order.append(v.toObject().value("n"_L1).toString());
        QCOMPARE(order, (QStringList{u"/node"_s, u"a/b2"_s, u"a/c"_s, u"b/a"_s}));

        // A relist's snapshot replaces everything the stream had.
        Batch relist;
        relist.stream = u"pods"_s;
        relist.reset = true;
        relist.snapshot = {record(u"x"_s, u"only"_s, R"({"n":"x/only"})")};
        relist.changes = {change(ChangeType::Deleted, record(u"a"_s, u"c"_s, "{}"), true, u"relist"_s)};
        store.apply(u"pods"_s, relist);
        QCOMPARE(store.objectCount(), 1);
        QCOMPARE(store.document(false), QByteArray("[\n{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"n\":\"x/only\"}\n]\n"));
    }

    void listed_objects_get_kind_and_api_version_in_the_store()
    {
        StoreWriter store;
        Batch list;
        list.stream = u"nodes"_s;
        list.reset = true;
        list.snapshot = {record({}, u"empty"_s, "{}", u"Node"_s), record({}, u"late"_s, R"({"a":1,"kind":"Node"})", u"Node"_s),
                         record({}, u"n1"_s, R"({"metadata":{"name":"n1"}})", u"Node"_s)};
        store.apply(u"nodes"_s, list);
        const QJsonArray array = QJsonDocument::fromJson(store.document(false)).array();
        QCOMPARE(array.size(), 3);
        for (const QJsonValue &v : array) {
            QCOMPARE(v.toObject().value("kind"_L1).toString(), u"Node"_s);
            QCOMPARE(v.toObject().size() >= 2, true);
        }
        QVERIFY(store.document(false).contains(R"({"a":1,"kind":"Node"})"));
        QCOMPARE(array.at(2).toObject().value("apiVersion"_L1).toString(), u"v1"_s);
    }

    void empty_store_is_an_empty_array()
    {
        QCOMPARE(StoreWriter().document(false), QByteArray("[]\n"));
    }

    void writers_put_whole_lines_in_the_file_as_batches_arrive()
    {
        QTemporaryDir dir;
        EventWriter events;
        QString error;
        const QString path = dir.filePath(u"e.csv"_s);
        QVERIFY(events.open(path, &error));
        events.write(u"sim"_s, u"pods"_s, {change(ChangeType::Added, record(u"a"_s, u"b"_s, "{}"))});
        // Not closed: an unbuffered file already holds the line, as after a kill.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 3); // header, record, and the empty rest after the last CRLF
        QVERIFY(lines[1].startsWith("2024-05-01T12:00:00.123Z,sim,pods,ADDED,a,b,uid-b,42,false,"));
        QVERIFY(events.file().error().isEmpty());
    }
};

CW_TEST(TestOutputs)
#include "tst_outputs.moc"
