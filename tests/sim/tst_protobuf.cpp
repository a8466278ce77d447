// SPDX-License-Identifier: Apache-2.0
#include "protobuf.h"
#include "testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <limits>

using namespace cw::sim;
using namespace Qt::StringLiterals;

namespace {

// A tiny protobuf encoder, so fixtures say which field carries what instead of being opaque hex.
enum Wire : quint64
{
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5
};

QByteArray varint(quint64 v)
{
    QByteArray out;
    while (v >= 0x80) {
        out += char((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += char(v);
    return out;
}

QByteArray tag(quint64 field, Wire wire)
{
    return varint(field << 3 | wire);
}

QByteArray num(quint64 field, quint64 v)
{
    return tag(field, Varint) + varint(v);
}

QByteArray len(quint64 field, const QByteArray &payload)
{
    return tag(field, Len) + varint(quint64(payload.size())) + payload;
}

QByteArray fixed(quint64 field, Wire wire, quint64 v)
{
    QByteArray out = tag(field, wire);
    for (int i = 0; i < (wire == Fixed64 ? 8 : 4); ++i)
        out += char((v >> (8 * i)) & 0xff);
    return out;
}

// Map fields are repeated {key=1, value=2} entries.
QByteArray entry(quint64 field, const QByteArray &key, const QByteArray &value)
{
    return len(field, len(1, key) + len(2, value));
}

// "k8s\0" + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}.
QByteArray envelope(const QByteArray &apiVersion, const QByteArray &kind, const QByteArray &raw)
{
    return QByteArray("k8s\0", 4) + len(1, len(1, apiVersion) + len(2, kind)) + len(2, raw) + len(3, {}) +
           len(4, {});
}

// Every wire type, a nested group included, under field numbers no decoded message uses.
QByteArray unknownFields()
{
    return num(900, 12345678901ULL) + fixed(901, Fixed64, 0x0102030405060708ULL) + len(902, "ignored") +
           tag(903, StartGroup) + num(1, 7) + tag(904, StartGroup) + len(2, "x") + tag(904, EndGroup) +
           tag(903, EndGroup) + fixed(905, Fixed32, 0xdeadbeef);
}

QByteArray fromHex(const char *hex)
{
    return QByteArray::fromHex(QByteArray(hex));
}

QByteArray text(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray normalized(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", json.constData());
    return doc.toJson(QJsonDocument::Compact);
}

QByteArray validConfigMap()
{
    return envelope("v1", "ConfigMap",
                    len(1, len(1, "cm") + len(3, "ns") + entry(11, "app", "web")) + entry(2, "a", "b") +
                        entry(3, "bin", QByteArray("\x00\xff", 2)));
}

} // namespace

class TestProtobuf : public QObject
{
    Q_OBJECT

private slots:
    void decodes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("json");

        // Byte for byte what `kubectl create configmap pb1 --from-literal=a=b` (1.32) sent: every ObjectMeta
        // string present but empty, creationTimestamp an empty Time.
        QTest::newRow("kubectl configmap")
            << fromHex("6b3873000a0f0a0276311209436f6e66"
                       "69674d6170121d0a130a037062311200"
                       "1a0022002a0032003800420012060a01"
                       "611201621a002200")
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"},
                             "metadata":{"name":"pb1","creationTimestamp":null}})");
        // ... and `kubectl create secret generic pbx --from-literal=k=v`.
        QTest::newRow("kubectl secret")
            << fromHex("6b3873000a0c0a027631120653656372"
                       "6574121f0a130a0370627812001a0022"
                       "002a0032003800420012060a016b1201"
                       "761a001a002200")
            << QByteArray(R"({"apiVersion":"v1","kind":"Secret","data":{"k":"dg=="},
                             "metadata":{"name":"pbx","creationTimestamp":null}})");

        const QByteArray meta = len(1, "cm") + len(3, "ns") + entry(11, "app", "web") +
                                entry(11, "tier", "fe") + entry(12, "note", "hello world") +
                                entry(12, "empty", {});
        QTest::newRow("configmap labels annotations data binaryData")
            << envelope("v1", "ConfigMap",
                        len(1, meta) + entry(2, "a", "b") + entry(2, "c.txt", "line\n") + num(4, 1) +
                            entry(3, "bin", QByteArray("\x00\x01\xfe\xff", 4)) + entry(3, "none", {}))
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap","immutable":true,
                             "metadata":{"name":"cm","namespace":"ns","labels":{"app":"web","tier":"fe"},
                                         "annotations":{"note":"hello world","empty":""}},
                             "data":{"a":"b","c.txt":"line\n"},"binaryData":{"bin":"AAH+/w==","none":""}})");

        QTest::newRow("secret data type stringData immutable")
            << envelope("v1", "Secret",
                        len(1, len(1, "s")) + entry(2, "user", "admin") +
                            entry(2, "raw", QByteArray("\x00\x80", 2)) + len(3, "kubernetes.io/basic-auth") +
                            entry(4, "password", "hunter2") + num(5, 0))
            << QByteArray(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
                             "data":{"user":"YWRtaW4=","raw":"AIA="},"type":"kubernetes.io/basic-auth",
                             "stringData":{"password":"hunter2"},"immutable":false})");

        QTest::newRow("secret empty type omitted")
            << envelope("v1", "Secret", len(1, len(1, "s")) + len(3, {}))
            << QByteArray(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}})");

        QTest::newRow("namespace") << envelope("v1", "Namespace",
                                               len(1, len(1, "team-a") + entry(11, "owner", "me")) +
                                                   len(2, len(1, "kubernetes")) + len(3, len(1, "Active")))
                                   << QByteArray(R"({"apiVersion":"v1","kind":"Namespace",
                             "metadata":{"name":"team-a","labels":{"owner":"me"}},
                             "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})");

        QTest::newRow("namespace empty spec and status")
            << envelope("v1", "Namespace", len(1, len(1, "n")) + len(2, {}) + len(3, {}))
            << QByteArray(
                   R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"},"spec":{},"status":{}})");

        // 1700000000 = 2023-11-14T22:13:20Z; nanos are dropped like metav1.Time's JSON does.
        const QByteArray owner =
            len(5, "apps/v1") + len(1, "ReplicaSet") + len(3, "rs") + len(4, "u-1") + num(6, 1) + num(7, 0);
        QTest::newRow("full object meta")
            << envelope("v1", "ConfigMap",
                        len(1, len(2, "gen-") + len(4, "/self") + len(5, "uid-1") + len(6, "42") + num(7, 3) +
                                   len(8, num(1, 1700000000) + num(2, 500)) + len(9, num(1, 1700000030)) +
                                   num(10, 30) + len(13, owner) + len(14, "a/b") + len(14, "c/d") +
                                   len(17, len(1, "kubectl"))))
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap",
                             "metadata":{"generateName":"gen-","selfLink":"/self","uid":"uid-1",
                                         "resourceVersion":"42","generation":3,
                                         "creationTimestamp":"2023-11-14T22:13:20Z",
                                         "deletionTimestamp":"2023-11-14T22:13:50Z","deletionGracePeriodSeconds":30,
                                         "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs",
                                                             "uid":"u-1","controller":true,
                                                             "blockOwnerDeletion":false}],
                                         "finalizers":["a/b","c/d"]}})");

        QTest::newRow("zero time and zero generation")
            << envelope("v1", "ConfigMap",
                        len(1, len(1, "z") + num(7, 0) + len(8, num(1, quint64(-62135596800LL)))))
            << QByteArray(
                   R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"z","creationTimestamp":null}})");

        QTest::newRow("delete options grace 0 and preconditions")
            << envelope("v1", "DeleteOptions",
                        num(1, 0) + len(2, len(1, "uid-1") + len(2, "7")) + num(3, 0) + len(4, "Foreground") +
                            len(5, "All"))
            << QByteArray(R"({"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":0,
                             "preconditions":{"uid":"uid-1","resourceVersion":"7"},"orphanDependents":false,
                             "propagationPolicy":"Foreground","dryRun":["All"]})");

        QTest::newRow("delete options negative grace")
            << envelope("meta.k8s.io/v1", "DeleteOptions", num(1, quint64(-1LL)))
            << QByteArray(
                   R"({"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions","gracePeriodSeconds":-1})");

        QTest::newRow("delete options empty") << envelope("v1", "DeleteOptions", {})
                                              << QByteArray(R"({"apiVersion":"v1","kind":"DeleteOptions"})");

        // Unknown fields everywhere: envelope, typeMeta, object, metadata, map entry, nested message.
        const QByteArray x = unknownFields();
        QTest::newRow("unknown fields of every wire type skipped")
            << QByteArray("k8s\0", 4) + len(1, len(1, "v1") + x + len(2, "ConfigMap")) + x +
                   len(2, x + len(1, x + len(1, "cm") + x + len(11, len(1, "k") + x + len(2, "v"))) +
                              len(2, len(1, "a") + len(2, "b") + x) + x) +
                   x
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap",
                             "metadata":{"name":"cm","labels":{"k":"v"}},"data":{"a":"b"}})");

        // Protobuf merges repeated occurrences of a message field; later scalars win.
        QTest::newRow("repeated metadata merges")
            << envelope("v1", "ConfigMap",
                        len(1, len(1, "first") + entry(11, "a", "1")) +
                            len(1, len(1, "second") + entry(11, "b", "2")))
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap",
                             "metadata":{"name":"second","labels":{"a":"1","b":"2"}}})");

        QTest::newRow("map entry without key or value")
            << envelope("v1", "ConfigMap", len(2, len(2, "novalue-key")) + len(2, len(1, "k")))
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"":"novalue-key","k":""}})");

        QTest::newRow("no raw") << QByteArray("k8s\0", 4) + len(1, len(1, "v1") + len(2, "Namespace"))
                                << QByteArray(R"({"apiVersion":"v1","kind":"Namespace"})");

        QTest::newRow("protobuf content type")
            << QByteArray("k8s\0", 4) + len(1, len(1, "v1") + len(2, "Namespace")) +
                   len(2, len(1, len(1, "n"))) + len(4, "application/vnd.kubernetes.protobuf")
            << QByteArray(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}})");
    }

    void decodes()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, json);
        QString error = u"stale"_s;
        const auto object = decodeProtobufObject(body, &error);
        QVERIFY2(object.has_value(), qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(text(*object), normalized(json));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");

        const QByteArray magic("k8s\0", 4);
        QTest::newRow("empty") << QByteArray() << u"missing the \"k8s\\x00\" prefix"_s;
        QTest::newRow("bad magic") << QByteArray("k8t\0\x0a\x00", 6) << u"missing the \"k8s\\x00\" prefix"_s;
        QTest::newRow("json") << QByteArray(R"({"kind":"ConfigMap"})")
                              << u"missing the \"k8s\\x00\" prefix"_s;
        QTest::newRow("short magic") << QByteArray("k8s", 3) << u"missing the \"k8s\\x00\" prefix"_s;

        QTest::newRow("truncated tag varint")
            << magic + QByteArray("\x8a", 1) << u"truncated varint at byte 4 (in runtime.Unknown)"_s;
        QTest::newRow("truncated length varint")
            << magic + QByteArray("\x0a\xff", 2) << u"truncated varint at byte 5 (in runtime.Unknown)"_s;
        QTest::newRow("truncated value varint")
            << envelope("v1", "ConfigMap", len(1, QByteArray("\x38\x80\x80", 3)))
            << u"truncated varint at byte "_s;
        QTest::newRow("varint too long")
            << magic + QByteArray("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)
            << u"varint longer than 10 bytes at byte 5"_s;
        QTest::newRow("length past end")
            << magic + QByteArray("\x0a\x05\x0a\x02v1", 6)
            << u"field 1 length 5 runs past the end of the message at byte 4 (in runtime.Unknown)"_s;
        QTest::newRow("huge length") << magic + QByteArray("\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11)
                                     << u"runs past the end of the message"_s;
        // The inner length fits the body but not the enclosing ObjectMeta.
        QTest::newRow("nested length past end")
            << envelope("v1", "ConfigMap", len(1, QByteArray("\x0a\x09short", 7)) + QByteArray(16, 'x'))
            << u"field 1 length 9 runs past the end of the message at byte 25 (in ObjectMeta)"_s;
        QTest::newRow("truncated fixed64")
            << magic + tag(9, Fixed64) + QByteArray(7, '\0') << u"truncated fixed64 value at byte 4"_s;
        QTest::newRow("truncated fixed32")
            << magic + tag(9, Fixed32) + QByteArray(3, '\0') << u"truncated fixed32 value at byte 4"_s;
        QTest::newRow("wire type 6") << magic + varint(9 << 3 | 6) << u"invalid wire type 6 at byte 4"_s;
        QTest::newRow("wire type 7") << magic + varint(9 << 3 | 7) << u"invalid wire type 7 at byte 4"_s;
        QTest::newRow("field number 0") << magic + num(0, 1) << u"invalid field number 0 at byte 4"_s;
        QTest::newRow("unterminated group")
            << magic + tag(9, StartGroup) + num(1, 1) << u"unterminated group 9 at byte 4"_s;
        QTest::newRow("mismatched end group")
            << magic + tag(9, StartGroup) + tag(8, EndGroup) << u"end-group 8 closes group 9 at byte 5"_s;
        QTest::newRow("stray end group") << magic + tag(9, EndGroup) << u"unexpected end-group for field 9"_s;
        QByteArray deep = magic;
        for (int i = 0; i < 100000; ++i)
            deep += tag(9, StartGroup);
        QTest::newRow("groups nested too deeply") << deep << u"groups nested too deeply"_s;
        QTest::newRow("wrong wire type for known field")
            << envelope("v1", "ConfigMap", len(1, num(1, 5)))
            << u"field 1 has wire type 0, expected 2 at byte 25 (in ObjectMeta)"_s;
        QTest::newRow("map entry truncated")
            << envelope("v1", "ConfigMap",
                        len(2, QByteArray("\x0a\x05"
                                          "ab",
                                          4)))
            << u"field 1 length 5 runs past the end of the message at byte 25 (in map entry)"_s;
        QTest::newRow("time out of range")
            << envelope("v1", "ConfigMap", len(1, len(8, num(1, 253402300800ULL))))
            << u"timestamp 253402300800 is outside years 1-9999"_s;
        QTest::newRow("time far out of range")
            << envelope("v1", "ConfigMap",
                        len(1, len(8, num(1, quint64(std::numeric_limits<qint64>::min())))))
            << u"is outside years 1-9999"_s;

        QTest::newRow("unsupported kind")
            << envelope("v1", "Service", len(1, len(1, "svc")))
            << u"protobuf bodies of kind \"Service\" are not supported by the simulator; send JSON"_s;
        QTest::newRow("unsupported apps kind")
            << envelope("apps/v1", "Deployment", {})
            << u"protobuf bodies of kind \"Deployment\" are not supported by the simulator; send JSON"_s;
        QTest::newRow("no kind") << magic + len(1, len(1, "v1")) << u"no kind in its typeMeta"_s;
        QTest::newRow("content encoding")
            << magic + len(1, len(2, "ConfigMap")) + len(3, "gzip") << u"content encoding \"gzip\""_s;
        QTest::newRow("json raw") << magic + len(1, len(2, "ConfigMap")) + len(2, "{}") +
                                         len(4, "application/json")
                                  << u"raw content type \"application/json\" is not supported"_s;
    }

    void rejects()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        QString actual;
        const auto object = decodeProtobufObject(body, &actual);
        QVERIFY2(!object.has_value(), text(object.value_or(QJsonObject())).constData());
        QVERIFY2(actual.contains(error), qPrintable(actual));
        // The unsupported-kind message is a contract with users; everything else is tagged as a bad body.
        if (!error.startsWith(u"protobuf bodies"_s))
            QVERIFY2(actual.startsWith(u"invalid protobuf body: "_s), qPrintable(actual));
    }

    void nullErrorPointer()
    {
        QVERIFY(!decodeProtobufObject(QByteArray("junk"), nullptr).has_value());
        QVERIFY(decodeProtobufObject(validConfigMap(), nullptr).has_value());
    }

    // Every prefix and a few thousand single-byte corruptions of a valid body: never a crash or an
    // out-of-bounds read (run under ASan to see the latter), and a failure always says why.
    void survivesTruncationAndCorruption()
    {
        const QByteArray valid = validConfigMap();
        int failures = 0;
        for (qsizetype n = 0; n < valid.size(); ++n) {
            QString error;
            const QByteArray prefix = valid.first(n);
            if (!decodeProtobufObject(prefix, &error)) {
                ++failures;
                QVERIFY2(!error.isEmpty(), prefix.toHex().constData());
            }
        }
        QVERIFY(failures > valid.size() / 2);

        QRandomGenerator random(20240601);
        for (int i = 0; i < 5000; ++i) {
            QByteArray body = valid;
            const int flips = 1 + int(random.bounded(3));
            for (int j = 0; j < flips; ++j)
                body[qsizetype(random.bounded(quint32(body.size())))] = char(random.bounded(256));
            QString error;
            if (!decodeProtobufObject(body, &error))
                QVERIFY2(!error.isEmpty(), body.toHex().constData());
        }
    }
};

CW_TEST(TestProtobuf)
#include "tst_protobuf.moc"
