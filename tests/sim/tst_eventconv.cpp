// SPDX-License-Identifier: Apache-2.0
#include "eventconv.h"
#include "testmain.h"

#include <QJsonDocument>
#include <QTest>

using namespace cw::sim;

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// A kubelet-style core event: the old fields, no eventTime.
const char kubeletEvent[] = R"({
  "metadata": {"name": "web-1.17a", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
               "creationTimestamp": "2024-05-01T10:00:00Z"},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1", "uid": "p-1",
                     "apiVersion": "v1", "resourceVersion": "40", "fieldPath": "spec.containers{web}"},
  "reason": "BackOff", "message": "Back-off restarting failed container",
  "source": {"component": "kubelet", "host": "node-a"},
  "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:05:00Z", "count": 7,
  "type": "Warning", "eventTime": null, "reportingComponent": "kubelet", "reportingInstance": "node-a"
})";

// A scheduler-style core event written through events.k8s.io: eventTime, series, action, related.
const char schedulerEvent[] = R"({
  "metadata": {"name": "web-2.17b", "namespace": "default"},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-2"},
  "related": {"kind": "Node", "name": "node-b"},
  "reason": "Scheduled", "message": "Successfully assigned default/web-2 to node-b",
  "source": {}, "firstTimestamp": null, "lastTimestamp": null,
  "eventTime": "2024-05-01T10:00:00.123456Z",
  "series": {"count": 3, "lastObservedTime": "2024-05-01T10:10:00.000000Z"},
  "action": "Binding", "type": "Normal",
  "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-cp-1"
})";

// Every core/v1 Event field set to a non-null value.
const char everyFieldEvent[] = R"({
  "metadata": {"name": "web-3.17c", "namespace": "default"},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-3"},
  "related": {"kind": "Node", "name": "node-c"},
  "reason": "Pulled", "message": "Container image pulled", "type": "Normal", "action": "Pull",
  "source": {"component": "kubelet", "host": "node-c"},
  "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:01:00Z", "count": 2,
  "eventTime": "2024-05-01T10:00:00.000001Z",
  "series": {"count": 2, "lastObservedTime": "2024-05-01T10:01:00.000000Z"},
  "reportingComponent": "kubelet", "reportingInstance": "node-c"
})";

const char minimalEvent[] = R"({"metadata": {"name": "e", "namespace": "ns"}})";

} // namespace

class TestEventConversion : public QObject
{
    Q_OBJECT

private slots:
    void core_event_survives_a_round_trip_through_events_v1_data()
    {
        QTest::addColumn<QJsonObject>("core");
        QTest::newRow("kubelet event with source and count") << parse(kubeletEvent);
        QTest::newRow("scheduler event with series and related") << parse(schedulerEvent);
        QTest::newRow("event with only metadata") << parse(minimalEvent);
        QTest::newRow("empty object") << QJsonObject();
    }

    void core_event_survives_a_round_trip_through_events_v1()
    {
        QFETCH(QJsonObject, core);
        QCOMPARE(eventsV1ToCoreEvent(coreEventToEventsV1(core)), core);
    }

    void events_v1_event_survives_a_round_trip_through_core_data()
    {
        QTest::addColumn<QJsonObject>("v1");
        QTest::newRow("kubelet event") << coreEventToEventsV1(parse(kubeletEvent));
        QTest::newRow("scheduler event") << coreEventToEventsV1(parse(schedulerEvent));
        QTest::newRow("hand-written events.k8s.io event") << parse(R"({
          "metadata": {"name": "x", "namespace": "default"}, "eventTime": "2024-05-01T10:00:00.000000Z",
          "reportingController": "example.com/ctl", "reportingInstance": "ctl-0", "action": "Sync",
          "reason": "Synced", "regarding": {"kind": "Deployment", "name": "web"}, "note": "ok",
          "type": "Normal", "deprecatedSource": {"component": "ctl"}, "deprecatedCount": 2,
          "deprecatedFirstTimestamp": "2024-05-01T09:00:00Z",
          "deprecatedLastTimestamp": "2024-05-01T10:00:00Z"})");
    }

    void events_v1_event_survives_a_round_trip_through_core()
    {
        QFETCH(QJsonObject, v1);
        QVERIFY(!v1.isEmpty());
        QCOMPARE(coreEventToEventsV1(eventsV1ToCoreEvent(v1)), v1);
    }

    void each_core_field_lands_under_its_events_v1_name_data()
    {
        QTest::addColumn<QString>("coreField");
        QTest::addColumn<QString>("v1Field");
        const auto row = [](const char *core, const char *v1) {
            QTest::addRow("%s -> %s", core, v1) << QString::fromLatin1(core) << QString::fromLatin1(v1);
        };
        row("metadata", "metadata");
        row("involvedObject", "regarding");
        row("message", "note");
        row("source", "deprecatedSource");
        row("firstTimestamp", "deprecatedFirstTimestamp");
        row("lastTimestamp", "deprecatedLastTimestamp");
        row("count", "deprecatedCount");
        row("reportingComponent", "reportingController");
        row("reportingInstance", "reportingInstance");
        row("eventTime", "eventTime");
        row("action", "action");
        row("reason", "reason");
        row("related", "related");
        row("series", "series");
        row("type", "type");
    }

    void each_core_field_lands_under_its_events_v1_name()
    {
        QFETCH(QString, coreField);
        QFETCH(QString, v1Field);
        const QJsonObject core = parse(everyFieldEvent);
        QVERIFY(core.contains(coreField));
        QVERIFY(!core.value(coreField).isNull());

        const QJsonObject v1 = coreEventToEventsV1(core);
        QCOMPARE(v1.value(v1Field), core.value(coreField));
        if (coreField != v1Field) {
            QVERIFY(!v1.contains(coreField));
            // And back again, under the old name only.
            const QJsonObject back = eventsV1ToCoreEvent(v1);
            QCOMPARE(back.value(coreField), core.value(coreField));
            QVERIFY(!back.contains(v1Field));
        }
        QCOMPARE(v1.size(), core.size());
    }

    void kind_api_version_and_unknown_fields_are_dropped()
    {
        QJsonObject core = parse(minimalEvent);
        core.insert(QStringLiteral("kind"), QStringLiteral("Event"));
        core.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
        core.insert(QStringLiteral("bogus"), 1);
        const QJsonObject v1 = coreEventToEventsV1(core);
        QCOMPARE(v1.keys(), QStringList{QStringLiteral("metadata")});

        QJsonObject written = v1;
        written.insert(QStringLiteral("kind"), QStringLiteral("Event"));
        written.insert(QStringLiteral("apiVersion"), QStringLiteral("events.k8s.io/v1"));
        written.insert(QStringLiteral("message"), QStringLiteral("core name in a v1 body"));
        QCOMPARE(eventsV1ToCoreEvent(written).keys(), QStringList{QStringLiteral("metadata")});
    }

    void null_values_are_carried_over_not_dropped()
    {
        const QJsonObject v1 = coreEventToEventsV1(parse(schedulerEvent));
        QVERIFY(v1.contains(QStringLiteral("deprecatedFirstTimestamp")));
        QVERIFY(v1.value(QStringLiteral("deprecatedFirstTimestamp")).isNull());
        QCOMPARE(v1.value(QStringLiteral("deprecatedSource")), QJsonValue(QJsonObject()));
    }
};

CW_TEST(TestEventConversion)
#include "tst_eventconv.moc"
