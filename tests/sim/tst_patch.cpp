// SPDX-License-Identifier: Apache-2.0
#include "patch.h"
#include "testmain.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cw::sim;

namespace {

// Any JSON text, scalars included (QJsonDocument only takes objects and arrays at the top).
QJsonValue value(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + json + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", json.constData());
    return doc.array().at(0);
}

// Compact text of a value, so a failing comparison shows both documents.
QByteArray text(const QJsonValue &v)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QByteArray normalized(const QByteArray &json)
{
    return text(value(json));
}

} // namespace

class TestPatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void merge_patch_follows_rfc7386_examples_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QByteArray>("expected");

        // RFC 7386 Appendix A, in order.
        QTest::newRow("a member is replaced")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":"c"})");
        QTest::newRow("a member is added")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"({"b":"c"})") << QByteArray(R"({"a":"b","b":"c"})");
        QTest::newRow("null removes a member")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":null})") << QByteArray(R"({})");
        QTest::newRow("null removes only that member")
            << QByteArray(R"({"a":"b","b":"c"})") << QByteArray(R"({"a":null})")
            << QByteArray(R"({"b":"c"})");
        QTest::newRow("a scalar replaces an array")
            << QByteArray(R"({"a":["b"]})") << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":"c"})");
        QTest::newRow("an array replaces a scalar")
            << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":["b"]})") << QByteArray(R"({"a":["b"]})");
        QTest::newRow("nested objects merge recursively")
            << QByteArray(R"({"a":{"b":"c"}})") << QByteArray(R"({"a":{"b":"d","c":null}})")
            << QByteArray(R"({"a":{"b":"d"}})");
        QTest::newRow("arrays are replaced, not merged")
            << QByteArray(R"({"a":[{"b":"c"}]})") << QByteArray(R"({"a":[1]})") << QByteArray(R"({"a":[1]})");
        QTest::newRow("an array patch replaces an array")
            << QByteArray(R"(["a","b"])") << QByteArray(R"(["c","d"])") << QByteArray(R"(["c","d"])");
        QTest::newRow("an array patch replaces an object")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"(["c"])") << QByteArray(R"(["c"])");
        QTest::newRow("a null patch replaces everything")
            << QByteArray(R"({"a":"foo"})") << QByteArray("null") << QByteArray("null");
        QTest::newRow("a string patch replaces everything")
            << QByteArray(R"({"a":"foo"})") << QByteArray(R"("bar")") << QByteArray(R"("bar")");
        QTest::newRow("nulls already in the target stay")
            << QByteArray(R"({"e":null})") << QByteArray(R"({"a":1})") << QByteArray(R"({"a":1,"e":null})");
        QTest::newRow("an object patch on an array starts from empty")
            << QByteArray("[1,2]") << QByteArray(R"({"a":"b","c":null})") << QByteArray(R"({"a":"b"})");
        QTest::newRow("nulls in new members are dropped")
            << QByteArray("{}") << QByteArray(R"({"a":{"bb":{"ccc":null}}})")
            << QByteArray(R"({"a":{"bb":{}}})");
    }

    void merge_patch_follows_rfc7386_examples()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, patch);
        QFETCH(QByteArray, expected);

        QCOMPARE(text(applyMergePatch(value(target), value(patch))), normalized(expected));
    }

    void json_patch_follows_rfc6902_examples_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("ops");
        QTest::addColumn<QByteArray>("expected");

        // RFC 6902 Appendix A (the passing examples), then copy and whole-document operations.
        QTest::newRow("add puts an object member")
            << QByteArray(R"({"foo":"bar"})") << QByteArray(R"([{"op":"add","path":"/baz","value":"qux"}])")
            << QByteArray(R"({"baz":"qux","foo":"bar"})");
        QTest::newRow("add inserts an array element")
            << QByteArray(R"({"foo":["bar","baz"]})")
            << QByteArray(R"([{"op":"add","path":"/foo/1","value":"qux"}])")
            << QByteArray(R"({"foo":["bar","qux","baz"]})");
        QTest::newRow("remove drops an object member")
            << QByteArray(R"({"baz":"qux","foo":"bar"})") << QByteArray(R"([{"op":"remove","path":"/baz"}])")
            << QByteArray(R"({"foo":"bar"})");
        QTest::newRow("remove drops an array element")
            << QByteArray(R"({"foo":["bar","qux","baz"]})")
            << QByteArray(R"([{"op":"remove","path":"/foo/1"}])") << QByteArray(R"({"foo":["bar","baz"]})");
        QTest::newRow("replace swaps a value")
            << QByteArray(R"({"baz":"qux","foo":"bar"})")
            << QByteArray(R"([{"op":"replace","path":"/baz","value":"boo"}])")
            << QByteArray(R"({"baz":"boo","foo":"bar"})");
        QTest::newRow("move relocates a value")
            << QByteArray(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})")
            << QByteArray(R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])")
            << QByteArray(R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
        QTest::newRow("move reorders an array")
            << QByteArray(R"({"foo":["all","grass","cows","eat"]})")
            << QByteArray(R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])")
            << QByteArray(R"({"foo":["all","cows","eat","grass"]})");
        QTest::newRow("test passes on equal values")
            << QByteArray(R"({"baz":"qux","foo":["a",2,"c"]})")
            << QByteArray(
                   R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])")
            << QByteArray(R"({"baz":"qux","foo":["a",2,"c"]})");
        QTest::newRow("add creates a nested member")
            << QByteArray(R"({"foo":"bar"})")
            << QByteArray(R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])")
            << QByteArray(R"({"foo":"bar","child":{"grandchild":{}}})");
        QTest::newRow("unknown members of an operation are ignored")
            << QByteArray(R"({"foo":"bar"})")
            << QByteArray(R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])")
            << QByteArray(R"({"foo":"bar","baz":"qux"})");
        QTest::newRow("tilde escapes decode in order")
            << QByteArray(R"({"/":9,"~1":10})") << QByteArray(R"([{"op":"test","path":"/~01","value":10}])")
            << QByteArray(R"({"/":9,"~1":10})");
        QTest::newRow("a slash escape names a member")
            << QByteArray(R"({"a/b":1})") << QByteArray(R"([{"op":"replace","path":"/a~1b","value":2}])")
            << QByteArray(R"({"a/b":2})");
        QTest::newRow("dash appends an array value")
            << QByteArray(R"({"foo":["bar"]})")
            << QByteArray(R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])")
            << QByteArray(R"({"foo":["bar",["abc","def"]]})");
        QTest::newRow("copy duplicates a value")
            << QByteArray(R"({"a":{"b":1}})") << QByteArray(R"([{"op":"copy","from":"/a","path":"/c"}])")
            << QByteArray(R"({"a":{"b":1},"c":{"b":1}})");
        QTest::newRow("an empty path names the whole document")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"replace","path":"","value":{"b":2}}])")
            << QByteArray(R"({"b":2})");
        QTest::newRow("operations apply in order")
            << QByteArray(R"({"metadata":{"labels":{"a":"1"}}})")
            << QByteArray(R"([{"op":"add","path":"/metadata/labels/b","value":"2"},
                             {"op":"remove","path":"/metadata/labels/a"},
                             {"op":"test","path":"/metadata/labels","value":{"b":"2"}}])")
            << QByteArray(R"({"metadata":{"labels":{"b":"2"}}})");
    }

    void json_patch_follows_rfc6902_examples()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, ops);
        QFETCH(QByteArray, expected);

        QString error;
        const auto result = applyJsonPatch(value(target), value(ops).toArray(), &error);
        QVERIFY2(result, qPrintable(error));
        QCOMPARE(text(*result), normalized(expected));
    }

    void json_patch_rejects_operations_that_do_not_apply_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("ops");
        QTest::addColumn<QString>("error");

        QTest::newRow("a failing test stops the patch")
            << QByteArray(R"({"baz":"qux","foo":["a",2,"c"]})")
            << QByteArray(R"([{"op":"add","path":"/x","value":1},{"op":"test","path":"/baz","value":"bar"}])")
            << "testing value /baz failed: test failed";
        QTest::newRow("a string never equals a number")
            << QByteArray(R"({"/":9,"~1":10})") << QByteArray(R"([{"op":"test","path":"/~01","value":"10"}])")
            << "testing value /~01 failed: test failed";
        QTest::newRow("a test of a missing member fails")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"test","path":"/b","value":1}])")
            << "testing value /b failed: test failed";
        QTest::newRow("add below a missing member fails")
            << QByteArray(R"({"foo":"bar"})")
            << QByteArray(R"([{"op":"add","path":"/baz/bat","value":"qux"}])")
            << "add operation does not apply: doc is missing path: \"/baz/bat\": missing value";
        QTest::newRow("add past the end of an array fails")
            << QByteArray(R"({"foo":[1]})") << QByteArray(R"([{"op":"add","path":"/foo/5","value":2}])")
            << "error in add for path: '/foo/5': Unable to access invalid index: 5: invalid index referenced";
        QTest::newRow("remove of a missing member fails")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"remove","path":"/nope"}])")
            << "error in remove for path: '/nope': Unable to remove nonexistent key: nope: missing value";
        QTest::newRow("replace of a missing member fails")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"replace","path":"/nope","value":2}])")
            << "replace operation does not apply: doc is missing key: /nope: missing value";
        QTest::newRow("move from a missing member fails")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"move","from":"/nope","path":"/b"}])")
            << "move operation does not apply: doc is missing from path: /nope: missing value";
        QTest::newRow("move into its own child fails")
            << QByteArray(R"({"a":{"b":1}})") << QByteArray(R"([{"op":"move","from":"/a","path":"/a/c"}])")
            << "move operation does not apply: path /a/c is inside from /a";
        QTest::newRow("an unknown operation fails")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"frobnicate","path":"/a"}])")
            << "Unexpected kind: frobnicate";
    }

    void json_patch_rejects_operations_that_do_not_apply()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, ops);
        QFETCH(QString, error);

        QString actual;
        QVERIFY(!applyJsonPatch(value(target), value(ops).toArray(), &actual));
        QCOMPARE(actual, error);
    }

    void strategic_merge_patch_merges_like_kubectl_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QByteArray>("expected");

        const QByteArray twoContainers =
            R"({"spec":{"containers":[{"name":"web","image":"web:1"},{"name":"log","image":"log:1"}]}})";

        QTest::newRow("labels merge and null deletes, as kubectl label sends them")
            << QByteArray(R"({"metadata":{"labels":{"a":"1","b":"2"}}})")
            << QByteArray(R"({"metadata":{"labels":{"b":null,"c":"3"}}})")
            << QByteArray(R"({"metadata":{"labels":{"a":"1","c":"3"}}})");
        QTest::newRow("containers merge by name")
            << twoContainers << QByteArray(R"({"spec":{"containers":[{"name":"log","image":"log:2"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","image":"web:1"},{"name":"log","image":"log:2"}]}})");
        QTest::newRow("containers merge by name and $setElementOrder reorders them")
            << twoContainers
            << QByteArray(R"({"spec":{"$setElementOrder/containers":[{"name":"log"},{"name":"web"}],
                                     "containers":[{"name":"web","image":"web:2"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"log","image":"log:1"},{"name":"web","image":"web:2"}]}})");
        QTest::newRow("a new container is appended and placed by $setElementOrder")
            << twoContainers
            << QByteArray(
                   R"({"spec":{"$setElementOrder/containers":[{"name":"init"},{"name":"web"},{"name":"log"}],
                                     "containers":[{"name":"init","image":"init:1"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"init","image":"init:1"},{"name":"web","image":"web:1"},
                                                    {"name":"log","image":"log:1"}]}})");
        QTest::newRow("a container the patch does not name keeps its place")
            << QByteArray(R"({"spec":{"containers":[{"name":"a"},{"name":"mesh"},{"name":"b"}]}})")
            << QByteArray(R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"b"},{"name":"mesh"},{"name":"a"}]}})");
        QTest::newRow("$patch delete removes a container")
            << twoContainers << QByteArray(R"({"spec":{"containers":[{"name":"web","$patch":"delete"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"log","image":"log:1"}]}})");
        QTest::newRow("$patch replace in a list replaces the list")
            << twoContainers
            << QByteArray(
                   R"({"spec":{"containers":[{"$patch":"replace"},{"name":"solo","image":"solo:1"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"solo","image":"solo:1"}]}})");
        QTest::newRow("$patch replace on a map replaces the map")
            << QByteArray(R"({"metadata":{"labels":{"a":"1","b":"2"}}})")
            << QByteArray(R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})")
            << QByteArray(R"({"metadata":{"labels":{"c":"3"}}})");
        QTest::newRow("$patch delete on a map removes the map")
            << QByteArray(R"({"metadata":{"name":"x","annotations":{"a":"1"}}})")
            << QByteArray(R"({"metadata":{"annotations":{"$patch":"delete"}}})")
            << QByteArray(R"({"metadata":{"name":"x"}})");
        QTest::newRow("$patch merge is the default")
            << QByteArray(R"({"metadata":{"labels":{"a":"1"}}})")
            << QByteArray(R"({"metadata":{"labels":{"$patch":"merge","b":"2"}}})")
            << QByteArray(R"({"metadata":{"labels":{"a":"1","b":"2"}}})");
        QTest::newRow("env merges by name inside a container")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"3"}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"},{"name":"B","value":"3"}]}]}})");
        QTest::newRow("container ports merge by containerPort")
            << QByteArray(R"({"spec":{"containers":[{"name":"web","ports":[{"containerPort":80}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}})");
        QTest::newRow("volume mounts merge by mountPath")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","volumeMounts":[{"name":"data","mountPath":"/data"}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","volumeMounts":[{"mountPath":"/data","readOnly":true}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]}]}})");
        QTest::newRow("service ports merge by port")
            << QByteArray(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})")
            << QByteArray(R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})")
            << QByteArray(R"({"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443}]}})");
        QTest::newRow("status conditions merge by type")
            << QByteArray(
                   R"({"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}]}})")
            << QByteArray(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})")
            << QByteArray(
                   R"({"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]}})");
        QTest::newRow("lists without a merge key are replaced")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","args":["a","b"]}],"tolerations":[{"key":"x"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","args":["c"]}],"tolerations":[{"key":"y"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"web","args":["c"]}],"tolerations":[{"key":"y"}]}})");
        QTest::newRow("finalizers are a union") << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
                                                << QByteArray(R"({"metadata":{"finalizers":["b","c"]}})")
                                                << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})");
        QTest::newRow("$deleteFromPrimitiveList removes finalizers")
            << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})")
            << QByteArray(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["a","c"]}})");
        QTest::newRow("$setElementOrder reorders a primitive list")
            << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
            << QByteArray(R"({"metadata":{"$setElementOrder/finalizers":["b","a"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["b","a"]}})");
        QTest::newRow("$retainKeys drops the keys it does not list")
            << QByteArray(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})")
            << QByteArray(R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})")
            << QByteArray(R"({"spec":{"strategy":{"type":"Recreate"}}})");
        QTest::newRow("directives inside new list elements are not kept")
            << QByteArray(R"({"spec":{}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"web","$setElementOrder/env":[{"name":"A"}],
                                                     "env":[{"name":"A","value":"1"}]}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}})");
    }

    void strategic_merge_patch_merges_like_kubectl()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, patch);
        QFETCH(QByteArray, expected);

        QString error;
        const auto result = applyStrategicMergePatch(value(target), value(patch), &error);
        QVERIFY2(result, qPrintable(error));
        QCOMPARE(text(*result), normalized(expected));
    }

    void strategic_merge_patch_rejects_malformed_directives_data()
    {
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QString>("error");

        QTest::newRow("a container without its merge key")
            << QByteArray(R"({"spec":{"containers":[{"image":"x"}]}})")
            << "map: {\"image\":\"x\"} does not contain declared merge key: name";
        QTest::newRow("an unknown $patch value")
            << QByteArray(R"({"metadata":{"labels":{"$patch":"explode"}}})")
            << "unknown patch type: explode in map: {\"$patch\":\"explode\"}";
        QTest::newRow("$retainKeys that leave out a patched key")
            << QByteArray(R"({"spec":{"$retainKeys":["a"],"b":1}})")
            << "patch content doesn't match retainKeys list";
        QTest::newRow("$retainKeys that are not a list")
            << QByteArray(R"({"spec":{"$retainKeys":"a"}})") << "invalid patch format of retainKeys";
        QTest::newRow("$setElementOrder that is not a list")
            << QByteArray(R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})")
            << "invalid patch format of setElementOrder list";
        QTest::newRow("$deleteFromPrimitiveList that is not a list")
            << QByteArray(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})")
            << "invalid patch format of primitive list";
    }

    void strategic_merge_patch_rejects_malformed_directives()
    {
        QFETCH(QByteArray, patch);
        QFETCH(QString, error);

        QString actual;
        QVERIFY(!applyStrategicMergePatch(value(R"({"spec":{},"metadata":{}})"), value(patch), &actual));
        QCOMPARE(actual, error);
    }
};

CW_TEST(TestPatch)
#include "tst_patch.moc"
