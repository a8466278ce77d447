// SPDX-License-Identifier: Apache-2.0
// Every fault kind the sim injects, observed on the wire (curl or a raw socket).
#include "simfixture.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

using namespace cw::test;

namespace {
QJsonObject fault(const char *kind, QJsonObject extra = {})
{
    extra.insert(QStringLiteral("kind"), QString::fromLatin1(kind));
    return extra;
}
QString typeOf(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object().value(QStringLiteral("type")).toString();
}
} // namespace

class TestFaults : public QObject
{
    Q_OBJECT
    std::unique_ptr<SimFixture> sim;
    int counter = 0;

    QByteArray watchTarget() { return "/api/v1/namespaces/faults/configmaps?watch=1&resourceVersion=" + QByteArray::number(sim->currentRv()); }
    void write()
    {
        const QByteArray name = "cm-" + QByteArray::number(++counter);
        const HttpResponse r = sim->request("POST", "/api/v1/namespaces/faults/configmaps",
                                            "{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"payload\":\"" + QByteArray(200, 'p') + "\"}}");
        QCOMPARE(r.code, 201);
    }
    // curl on a watch, killed by the server's fault: returns curl's exit code and its output.
    std::unique_ptr<QProcess> startCurl(const QByteArray &target)
    {
        auto curl = std::make_unique<QProcess>();
        curl->start(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("-N"), QStringLiteral("--max-time"), QStringLiteral("20"),
                                              QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + QLatin1String(SimFixture::adminToken),
                                              sim->url().toString() + QString::fromLatin1(target)});
        return curl;
    }
    void waitForWatchers(int n)
    {
        QTRY_VERIFY_WITH_TIMEOUT(sim->control("GET", "/sim/v1/stats").value(QStringLiteral("openWatches")).toInt() >= n, 5000);
    }

private slots:
    void initTestCase()
    {
        sim = std::make_unique<SimFixture>();
        QVERIFY(sim->start());
        QCOMPARE(sim->request("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"faults\"}}").code, 201);
    }

    void control_api_refuses_requests_without_the_control_token()
    {
        QCOMPARE(sim->request("GET", "/sim/v1/faults", {}, {}, {}).code, 401);
        QCOMPARE(sim->request("GET", "/sim/v1/faults", {}, {}, SimFixture::adminToken).code, 403);
        QCOMPARE(sim->request("POST", "/sim/v1/faults", "{\"kind\":\"compact\"}", {}, "wrong").code, 403);
        QCOMPARE(sim->request("GET", "/sim/v1/faults", {}, {}, SimFixture::controlToken).code, 200);
        QCOMPARE(sim->request("POST", "/sim/v1/faults", "{\"kind\":\"meteor\"}", {}, SimFixture::controlToken).code, 400);
    }

    void drop_with_rst_resets_the_connection_mid_event()
    {
        write();
        auto curl = startCurl(watchTarget());
        waitForWatchers(1);
        write(); // an event to tear: the drop cuts it in half on the wire
        QTest::qWait(200);
        sim->request("POST", "/api/v1/namespaces/faults/configmaps", "{\"metadata\":{\"name\":\"torn\"}}");
        const QJsonObject record = sim->inject(fault("drop", {{QStringLiteral("mode"), QStringLiteral("rst")}}));
        QVERIFY(record.value(QStringLiteral("id")).toInt() > 0);
        QVERIFY(!record.value(QStringLiteral("time")).toString().isEmpty());
        QVERIFY(curl->waitForFinished(10000));
        QCOMPARE(curl->exitCode(), 56); // curl: failure receiving network data
        QVERIFY(curl->readAllStandardError().contains("reset"));
    }

    void drop_with_fin_closes_mid_chunk()
    {
        auto curl = startCurl(watchTarget());
        waitForWatchers(1);
        write();
        QTest::qWait(200);
        const QJsonObject record = sim->inject(fault("drop", {{QStringLiteral("mode"), QStringLiteral("fin")}}));
        QCOMPARE(record.value(QStringLiteral("affected")).toInt(), 1);
        QVERIFY(curl->waitForFinished(10000));
        QCOMPARE(curl->exitCode(), 18); // curl: transfer closed with outstanding read data
        const QByteArray out = curl->readAllStandardOutput();
        QVERIFY(!out.endsWith('\n')); // the last event is torn
    }

    void stall_keeps_the_socket_open_and_sends_nothing()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        write();
        QCOMPARE(stream.lines(1).size(), 1);
        sim->inject(fault("stall"));
        write();
        QVERIFY(stream.silentFor(1500));
        QVERIFY(!stream.connectionClosed());
    }

    void timed_stall_resumes_without_loss()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        sim->inject(fault("stall", {{QStringLiteral("seconds"), 1.0}}));
        write();
        QVERIFY(stream.silentFor(500));
        QCOMPARE(stream.lines(1, 3000).size(), 1);
    }

    void a_stall_of_two_seconds_or_more_resumes_too()
    {
        // Qt makes timers of 2 s and longer coarse, free to fire early: the stream must still resume.
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        sim->inject(fault("stall", {{QStringLiteral("seconds"), 2.05}}));
        write();
        QVERIFY(stream.silentFor(1500));
        QCOMPARE(stream.lines(1, 4000).size(), 1);
    }

    void close_ends_open_watches_cleanly()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        waitForWatchers(1);
        sim->inject(fault("close"));
        QVERIFY(stream.waitEnd(3000));
        QVERIFY(stream.endedCleanly());
    }

    void compact_makes_older_resource_versions_expire()
    {
        const qint64 old = sim->currentRv();
        write();
        const QJsonObject before = sim->control("GET", "/sim/v1/stats");
        QVERIFY(before.value(QStringLiteral("historyEvents")).toInteger() > 0);
        sim->inject(fault("compact"));
        // What is left: no history, and one stored version per object (no churn runs here).
        const QJsonObject after = sim->control("GET", "/sim/v1/stats");
        QCOMPARE(after.value(QStringLiteral("historyEvents")).toInteger(), 0);
        qint64 objects = 0;
        for (const QJsonValue count : after.value(QStringLiteral("objects")).toObject())
            objects += count.toInteger();
        QVERIFY(objects > 0);
        QCOMPARE(after.value(QStringLiteral("versions")).toInteger(), objects);
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/faults/configmaps?watch=1&resourceVersion=" + QByteArray::number(old),
                            SimFixture::adminToken));
        const QList<QByteArray> lines = stream.lines(1);
        QCOMPARE(lines.size(), 1);
        QCOMPARE(typeOf(lines[0]), QStringLiteral("ERROR"));
        QCOMPARE(QJsonDocument::fromJson(lines[0]).object().value(QStringLiteral("object")).toObject().value(QStringLiteral("code")).toInt(), 410);
    }

    void expire_sends_the_in_stream_410_and_ends_the_watch()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        waitForWatchers(1);
        sim->inject(fault("expire"));
        const QList<QByteArray> lines = stream.lines(1);
        QCOMPARE(lines.size(), 1);
        const QJsonObject status = QJsonDocument::fromJson(lines[0]).object().value(QStringLiteral("object")).toObject();
        QCOMPARE(typeOf(lines[0]), QStringLiteral("ERROR"));
        QCOMPARE(status.value(QStringLiteral("kind")).toString(), QStringLiteral("Status"));
        QCOMPARE(status.value(QStringLiteral("reason")).toString(), QStringLiteral("Expired"));
        QVERIFY(stream.waitEnd());
    }

    void gone_at_connect_answers_http_410_once()
    {
        sim->inject(fault("gone-at-connect"));
        const HttpResponse first = sim->request("GET", watchTarget());
        QCOMPARE(first.code, 410);
        QCOMPARE(first.json().value(QStringLiteral("reason")).toString(), QStringLiteral("Expired"));
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        QCOMPARE(stream.status(), 200);
    }

    void throttle_answers_429_in_plain_text_with_retry_after()
    {
        sim->inject(fault("throttle", {{QStringLiteral("seconds"), 2}, {QStringLiteral("count"), 2}}));
        for (int i = 0; i < 2; ++i) {
            const HttpResponse r = sim->request("GET", "/api/v1/pods");
            QCOMPARE(r.code, 429);
            QCOMPARE(r.headers.value("retry-after"), QByteArray("2"));
            QVERIFY(r.headers.value("content-type").startsWith("text/plain"));
            QVERIFY(r.body.startsWith("Too many requests"));
        }
        QCOMPARE(sim->request("GET", "/api/v1/pods").code, 200);
    }

    void error_status_answers_a_status_body_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::newRow("500") << 500 << QStringLiteral("InternalError");
        QTest::newRow("503") << 503 << QStringLiteral("ServiceUnavailable");
        QTest::newRow("504") << 504 << QStringLiteral("Timeout");
        QTest::newRow("401") << 401 << QStringLiteral("Unauthorized");
        QTest::newRow("403") << 403 << QStringLiteral("Forbidden");
    }
    void error_status_answers_a_status_body()
    {
        QFETCH(int, code);
        QFETCH(QString, reason);
        sim->inject(fault("error-status", {{QStringLiteral("code"), code}}));
        const HttpResponse r = sim->request("GET", "/api/v1/pods");
        QCOMPARE(r.code, code);
        QCOMPARE(r.json().value(QStringLiteral("kind")).toString(), QStringLiteral("Status"));
        QCOMPARE(r.json().value(QStringLiteral("reason")).toString(), reason);
        QCOMPARE(r.json().value(QStringLiteral("code")).toInt(), code);
    }

    void malformed_line_is_followed_by_valid_events()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        waitForWatchers(1);
        sim->inject(fault("malformed"));
        write();
        const QList<QByteArray> lines = stream.lines(2);
        QCOMPARE(lines.size(), 2);
        QJsonParseError error;
        QJsonDocument::fromJson(lines[0], &error);
        QVERIFY(error.error != QJsonParseError::NoError);
        QCOMPARE(typeOf(lines[1]), QStringLiteral("ADDED"));
    }

    void slow_drip_spreads_events_over_time_without_loss()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        waitForWatchers(1);
        sim->inject(fault("slow-drip", {{QStringLiteral("amount"), 300}, {QStringLiteral("seconds"), 2.0}}));
        write();
        write();
        QTest::qWait(500);
        QList<QByteArray> early = stream.lines(0, 10);
        QVERIFY(stream.bodySoFar().size() < 400);
        QVERIFY(early.size() < 2);
        QCOMPARE(stream.lines(2, 5000).size(), 2);
    }

    void rewind_moves_the_resource_version_back_and_cuts_connections()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        write();
        write();
        const qint64 before = sim->currentRv();
        sim->inject(fault("rewind", {{QStringLiteral("amount"), 2}}));
        QCOMPARE(sim->currentRv(), before - 2);
        QVERIFY(stream.waitEnd(3000));
        QVERIFY(stream.connectionClosed());
        // A client resuming from its newer RV is accepted and hears nothing: the restore hazard.
        RawStream resumed;
        QVERIFY(resumed.open(sim->port(), "/api/v1/namespaces/faults/configmaps?watch=1&resourceVersion=" + QByteArray::number(before),
                             SimFixture::adminToken));
        QCOMPARE(resumed.status(), 200);
        write();
        QVERIFY(resumed.silentFor(700));
    }

    void unavailable_refuses_connections_for_a_while()
    {
        sim->inject(fault("unavailable", {{QStringLiteral("seconds"), 1.0}}));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, sim->port());
        QVERIFY(!socket.waitForConnected(300) || !socket.waitForReadyRead(300));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
        QTRY_COMPARE_WITH_TIMEOUT(sim->request("GET", "/api/v1/pods?limit=1").code, 200, 5000);
    }

    void overlapping_outages_end_with_the_port_open()
    {
        sim->inject(fault("unavailable", {{QStringLiteral("seconds"), 0.3}}));
        sim->thread().invoke([](cw::sim::SimServer &s) {
            cw::sim::FaultSpec again = cw::sim::FaultSpec::withDefaults(cw::sim::FaultKind::Unavailable);
            again.seconds = 0.6;
            s.injectFault(again);
        });
        QTRY_COMPARE_WITH_TIMEOUT(sim->request("GET", "/api/v1/pods?limit=1").code, 200, 5000);
    }

    void empty_watch_is_200_with_no_events()
    {
        sim->inject(fault("empty-watch"));
        RawStream stream;
        QVERIFY(stream.open(sim->port(), watchTarget(), SimFixture::adminToken));
        QCOMPARE(stream.status(), 200);
        QVERIFY(stream.waitEnd(2000));
        QVERIFY(stream.endedCleanly());
        QVERIFY(stream.bodySoFar().isEmpty());
    }

    void every_fault_is_logged_with_id_and_time()
    {
        const QJsonArray items = sim->control("GET", "/sim/v1/faults").value(QStringLiteral("items")).toArray();
        QVERIFY(items.size() >= 15);
        int previous = 0;
        for (const QJsonValue &item : items) {
            const int id = item.toObject().value(QStringLiteral("id")).toInt();
            QCOMPARE(id, previous + 1);
            previous = id;
            QVERIFY(!item.toObject().value(QStringLiteral("time")).toString().isEmpty());
        }
    }

    void truth_lists_every_object_with_uid_and_resource_version()
    {
        const QJsonObject truth = sim->request("GET", "/sim/v1/truth?resource=configmaps", {}, {}, SimFixture::controlToken).json();
        const QJsonArray items = truth.value(QStringLiteral("items")).toArray();
        const QJsonArray listed = sim->request("GET", "/api/v1/configmaps").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), listed.size());
        for (const QJsonValue &item : items) {
            QVERIFY(!item.toObject().value(QStringLiteral("uid")).toString().isEmpty());
            QVERIFY(item.toObject().value(QStringLiteral("resourceVersion")).toString().toLongLong() > 0);
        }
    }

    void seeded_schedule_injects_faults_by_itself()
    {
        auto config = SimFixture::defaultConfig();
        config.scheduleKinds = {cw::sim::FaultKind::Close, cw::sim::FaultKind::Compact};
        config.scheduleMeanIntervalSec = 0.3;
        config.scheduleSeed = 7;
        SimFixture scheduled(config);
        QVERIFY(scheduled.start());
        QTRY_VERIFY_WITH_TIMEOUT(scheduled.control("GET", "/sim/v1/faults").value(QStringLiteral("items")).toArray().size() >= 3, 10000);
    }
};

CW_TEST(TestFaults)
#include "tst_faults.moc"
