// SPDX-License-Identifier: Apache-2.0
#include "testmain.h"
#include "yamlwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using cw::ui::toYaml;

namespace {

QJsonValue json(const char *text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

// Strings that trip YAML writers: every one must come back from a YAML 1.1 reader as the same string.
QStringList trickyStrings()
{
    return {u"yes"_s,
            u"No"_s,
            u"on"_s,
            u"OFF"_s,
            u"y"_s,
            u"N"_s,
            u"true"_s,
            u"False"_s,
            u"null"_s,
            u"NULL"_s,
            u"~"_s,
            u""_s,
            u"123"_s,
            u"-1"_s,
            u"+1"_s,
            u"012"_s,
            u"0x1F"_s,
            u"0o17"_s,
            u"0b101"_s,
            u"1_000"_s,
            u"1.5"_s,
            u"1."_s,
            u".5"_s,
            u"1e3"_s,
            u".inf"_s,
            u"-.inf"_s,
            u".NaN"_s,
            u"1:20"_s,
            u"12:30"_s,
            u"2024-01-01"_s,
            u"2024-01-01T10:00:00Z"_s,
            u"a: b"_s,
            u"x #y"_s,
            u"a#b"_s,
            u"trail:"_s,
            u":x"_s,
            u"-c"_s,
            u"- x"_s,
            u"-"_s,
            u"? x"_s,
            u" lead"_s,
            u"trail "_s,
            u"'x"_s,
            u"\"x"_s,
            u"it's"_s,
            u"{"_s,
            u"[x]"_s,
            u"*x"_s,
            u"&a"_s,
            u"!x"_s,
            u"|"_s,
            u">x"_s,
            u"%x"_s,
            u"@x"_s,
            u"`x"_s,
            u",x"_s,
            u"---"_s,
            u"..."_s,
            u"="_s,
            u"<<"_s,
            u"é ü"_s,
            u"tab\tx"_s,
            u"a\u0001b"_s,
            u"\uFEFFx"_s,
            u"multi\nline"_s,
            u"multi\nline\n"_s,
            u"x\n\n"_s,
            u"\n"_s,
            u"\n\n"_s,
            u"   indented\nsecond"_s,
            u"\nafter break"_s,
            u"trailing \nline"_s,
            u"a\r\nb"_s,
            u"a\n\nb"_s,
            u"a\n#b"_s,
            u"key: |\n  nested: yaml\n"_s,
            u"back\\slash \"quoted\""_s,
            u"emoji 😀"_s};
}

} // namespace

class YamlWriterTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The expected forms are what kubectl 1.32 prints for these values (`kubectl create configmap
    // --from-literal ... -o yaml`), except "=" and "<<", quoted here so YAML 1.1 readers accept them.
    void strings_are_quoted_like_kubectl_quotes_them_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("yaml");
        const std::pair<QString, QString> rows[] = {
            {u"plain"_s, u"plain"_s},
            {u"yes"_s, u"\"yes\""_s},
            {u"Y"_s, u"\"Y\""_s},
            {u"on"_s, u"\"on\""_s},
            {u"Off"_s, u"\"Off\""_s},
            {u"True"_s, u"\"True\""_s},
            {u"NULL"_s, u"\"NULL\""_s},
            {u"~"_s, u"\"~\""_s},
            {u""_s, u"\"\""_s},
            {u"123"_s, u"\"123\""_s},
            {u"012"_s, u"\"012\""_s},
            {u"0x1F"_s, u"\"0x1F\""_s},
            {u"1_000"_s, u"\"1_000\""_s},
            {u"+1"_s, u"\"+1\""_s},
            {u"1.5"_s, u"\"1.5\""_s},
            {u".5"_s, u"\".5\""_s},
            {u"1e3"_s, u"\"1e3\""_s},
            {u"1e"_s, u"1e"_s},
            {u"e3"_s, u"e3"_s},
            {u".inf"_s, u"\".inf\""_s},
            {u"1:20"_s, u"\"1:20\""_s},
            {u"2024-01-01"_s, u"\"2024-01-01\""_s},
            {u"2024-01-01T10:00:00Z"_s, u"\"2024-01-01T10:00:00Z\""_s},
            {u"a: b"_s, u"'a: b'"_s},
            {u"x #y"_s, u"'x #y'"_s},
            {u"a#b"_s, u"a#b"_s},
            {u"a,b"_s, u"a,b"_s},
            {u"trail:"_s, u"'trail:'"_s},
            {u"a:b"_s, u"a:b"_s},
            {u":x"_s, u":x"_s},
            {u"-c"_s, u"-c"_s},
            {u"- x"_s, u"'- x'"_s},
            {u"-"_s, u"'-'"_s},
            {u"? x"_s, u"'? x'"_s},
            {u" lead"_s, u"' lead'"_s},
            {u"x "_s, u"'x '"_s},
            {u"it's"_s, u"it's"_s},
            {u"'x"_s, u"'''x'"_s},
            {u"\"x"_s, u"'\"x'"_s},
            {u"{"_s, u"'{'"_s},
            {u"[x]"_s, u"'[x]'"_s},
            {u"*x"_s, u"'*x'"_s},
            {u"&a"_s, u"'&a'"_s},
            {u"!x"_s, u"'!x'"_s},
            {u"|"_s, u"'|'"_s},
            {u">x"_s, u"'>x'"_s},
            {u"%x"_s, u"'%x'"_s},
            {u"@x"_s, u"'@x'"_s},
            {u"`x"_s, u"'`x'"_s},
            {u",x"_s, u"',x'"_s},
            {u"---"_s, u"'---'"_s},
            {u"..."_s, u"'...'"_s},
            {u"é ü"_s, u"é ü"_s},
            {u"tab\tx"_s, u"\"tab\\tx\""_s},
            {u"a\u0001b"_s, u"\"a\\x01b\""_s},
            {u"\uFEFFx"_s, u"\"\\uFEFFx\""_s},
            {u"trailing \nline"_s, u"\"trailing \\nline\""_s},
            {u"a\r\nb"_s, u"\"a\\r\\nb\""_s},
            {u"="_s, u"\"=\""_s},
            {u"<<"_s, u"\"<<\""_s},
        };
        for (const auto &[value, yaml] : rows)
            QTest::addRow("%s", qPrintable(yaml)) << value << yaml;
    }
    void strings_are_quoted_like_kubectl_quotes_them()
    {
        QFETCH(QString, value);
        QFETCH(QString, yaml);
        QCOMPARE(toYaml(QJsonObject{{u"k"_s, value}}), u"k: "_s + yaml + u'\n');
    }

    void multi_line_strings_become_literal_blocks_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("yaml");
        QTest::addRow("no final break: strip") << u"multi\nline"_s << u"k: |-\n  multi\n  line\n"_s;
        QTest::addRow("one final break: clip") << u"multi\nline\n"_s << u"k: |\n  multi\n  line\n"_s;
        QTest::addRow("several final breaks: keep") << u"x\n\n"_s << u"k: |+\n  x\n\n"_s;
        QTest::addRow("only a break") << u"\n"_s << u"k: |2+\n\n"_s;
        QTest::addRow("leading spaces need an indentation indicator")
            << u"   indented\nsecond"_s << u"k: |2-\n     indented\n  second\n"_s;
        QTest::addRow("empty lines stay empty") << u"a\n\nb"_s << u"k: |-\n  a\n\n  b\n"_s;
        QTest::addRow("a hash at a line start is text") << u"a\n#b"_s << u"k: |-\n  a\n  #b\n"_s;
    }
    void multi_line_strings_become_literal_blocks()
    {
        QFETCH(QString, value);
        QFETCH(QString, yaml);
        QCOMPARE(toYaml(QJsonObject{{u"k"_s, value}}), yaml);
    }

    void keys_that_need_quotes_get_them_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("yaml");
        QTest::addRow("n") << u"n"_s << u"\"n\": 1\n"_s;
        QTest::addRow("y") << u"y"_s << u"\"y\": 1\n"_s;
        QTest::addRow("empty") << u""_s << u"\"\": 1\n"_s;
        QTest::addRow("colon space") << u"a: b"_s << u"'a: b': 1\n"_s;
        QTest::addRow("label key") << u"app.kubernetes.io/name"_s << u"app.kubernetes.io/name: 1\n"_s;
        QTest::addRow("line break") << u"a\nb"_s << u"\"a\\nb\": 1\n"_s;
    }
    void keys_that_need_quotes_get_them()
    {
        QFETCH(QString, key);
        QFETCH(QString, yaml);
        QCOMPARE(toYaml(QJsonObject{{key, 1}}), yaml);
    }

    void scalars_print_as_json_has_them_data()
    {
        QTest::addColumn<QByteArray>("jsonValue");
        QTest::addColumn<QString>("yaml");
        QTest::addRow("true") << QByteArray("true") << u"true"_s;
        QTest::addRow("false") << QByteArray("false") << u"false"_s;
        QTest::addRow("null") << QByteArray("null") << u"null"_s;
        QTest::addRow("integer") << QByteArray("42") << u"42"_s;
        QTest::addRow("negative") << QByteArray("-7") << u"-7"_s;
        QTest::addRow("large integer stays exact") << QByteArray("9007199254740993") << u"9007199254740993"_s;
        QTest::addRow("fraction") << QByteArray("0.25") << u"0.25"_s;
        QTest::addRow("exponent keeps a dot") << QByteArray("1e21") << u"1.0e+21"_s;
    }
    void scalars_print_as_json_has_them()
    {
        QFETCH(QByteArray, jsonValue);
        QFETCH(QString, yaml);
        const QByteArray doc = "{\"k\": " + jsonValue + '}';
        QCOMPARE(toYaml(QJsonDocument::fromJson(doc).object()), u"k: "_s + yaml + u'\n');
    }

    void an_object_prints_in_kubectl_layout()
    {
        const QJsonValue pod = json(R"({
            "kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}, "annotations": {},
                         "creationTimestamp": null},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "args": ["-c", "echo hi"],
                                     "ports": [{"containerPort": 80, "protocol": "TCP"}], "env": [],
                                     "resources": {}}],
                     "tolerations": [[1, 2], []]},
            "status": {"phase": "Running", "ready": true}})");
        const QString expected = uR"(apiVersion: v1
kind: Pod
metadata:
  annotations: {}
  creationTimestamp: null
  labels:
    app: web
  name: web-1
  namespace: shop
spec:
  containers:
  - args:
    - -c
    - echo hi
    env: []
    image: nginx:1.25
    name: web
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
  tolerations:
  - - 1
    - 2
  - []
status:
  phase: Running
  ready: true
)"_s;
        QCOMPARE(toYaml(pod), expected);
    }

    void block_scalars_indent_under_their_key_and_list_item()
    {
        const QJsonValue value = json(R"({"data": {"script": "set -e\nrun\n"}, "args": ["a\nb"]})");
        QCOMPARE(toYaml(value), u"args:\n- |-\n  a\n  b\ndata:\n  script: |\n    set -e\n    run\n"_s);
    }

    void roots_that_are_not_maps_print_too_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("yaml");
        QTest::addRow("empty map") << QJsonValue(QJsonObject()) << u"{}\n"_s;
        QTest::addRow("empty list") << QJsonValue(QJsonArray()) << u"[]\n"_s;
        QTest::addRow("list") << QJsonValue(QJsonArray{u"a"_s, 1}) << u"- a\n- 1\n"_s;
        QTest::addRow("string") << QJsonValue(u"yes"_s) << u"\"yes\"\n"_s;
    }
    void roots_that_are_not_maps_print_too()
    {
        QFETCH(QJsonValue, value);
        QFETCH(QString, yaml);
        QCOMPARE(toYaml(value), yaml);
    }

    // PyYAML resolves plain scalars by YAML 1.1 rules (yes/on/sexagesimal...), the strictest reader around:
    // what it reads back must be exactly the JSON we started from, types included.
    void tricky_strings_round_trip_through_a_yaml_1_1_reader()
    {
        QJsonObject strings;
        QJsonArray list;
        const QStringList values = trickyStrings();
        for (int i = 0; i < values.size(); ++i) {
            strings.insert(u"s%1"_s.arg(i, 3, 10, QChar(u'0')), values.at(i));
            list.append(QJsonObject{{values.at(i), values.at(i)}});
        }
        const QJsonObject original{{u"strings"_s, strings},
                                   {u"asKeysInAList"_s, list},
                                   {u"numbers"_s, QJsonArray{0, -3, 2.5, 1e21, 1e-7}},
                                   {u"nested"_s, QJsonArray{QJsonArray{}, QJsonObject{}, QJsonValue()}}};
        QProcess python;
        python.start(u"python3"_s,
                     {u"-c"_s, u"import sys, json, yaml\n"
                               "print(json.dumps(yaml.safe_load(sys.stdin.buffer.read().decode())))"_s});
        QVERIFY2(python.waitForStarted(), "python3 (a bootstrap dependency) must be installed");
        python.write(toYaml(original).toUtf8());
        python.closeWriteChannel();
        QVERIFY(python.waitForFinished(30000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QJsonObject readBack = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
        const QJsonObject readStrings = readBack.value("strings"_L1).toObject();
        for (auto it = strings.begin(); it != strings.end(); ++it)
            QCOMPARE(readStrings.value(it.key()), it.value());
        QCOMPARE(readBack, original);
    }
};

CW_TEST(YamlWriterTest)
#include "tst_yamlwriter.moc"
