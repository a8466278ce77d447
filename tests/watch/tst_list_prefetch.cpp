// SPDX-License-Identifier: Apache-2.0
// Prefetch: the next page of a LIST is asked for as soon as the head of this one names it, and whatever
// happens meanwhile (an expired token, a relist, verify) the store still equals the sim's truth.
#include "informertestsupport.h"
#include "kubeconfig.h"
#include "listwatchhttp.h"
#include "testmain.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace cw::watch;
using namespace cw::test::informer;
using cw::test::SimFixture;


namespace {

// A TCP relay in front of the sim that logs every request line and holds back pod list pages: the first
// `headBytes` of each answer (status line, headers, the ListMeta) pass at once, the rest waits until another
// pod list request arrives or `holdMs` passes. Without a prefetch the next page is only asked for once the
// whole page is in, so a page released by a request is the proof that the next one was asked for early.
class HoldingRelay
{
public:
    static constexpr qint64 headBytes = 600;
    static constexpr int holdMs = 1500;

    QStringList requests; // request lines, in arrival order
    bool releaseOnRequest = true;
    int releasedByRequest = 0;
    // Runs before a pod list request is forwarded; `prefetch` is true while another page is held back.
    std::function<void(const QByteArray &line, bool prefetch)> onList;

    ~HoldingRelay()
    {
        // The sockets are the server's children: they must not call back into a half-destroyed relay.
        for (const std::shared_ptr<Pipe> &pipe : std::as_const(m_pipes)) {
            pipe->server->disconnect();
            pipe->client->disconnect();
        }
    }

    bool listen(quint16 target)
    {
        m_target = target;
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection())
                accept(client);
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_server.serverPort(); }
    QStringList listRequests() const
    {
        QStringList out;
        for (const QString &line : requests) {
            if (isPodList(line.toUtf8()))
                out << line;
        }
        return out;
    }

private:
    struct Pipe
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *server = nullptr;
        QByteArray fromClient;
        qint64 budget = -1; // bytes of the answer still let through; -1: everything
        QByteArray held;
        QTimer *timer = nullptr;
    };

    static bool isPodList(const QByteArray &line)
    {
        return line.startsWith("GET /api/v1/pods?") && !line.contains("watch=");
    }

    void accept(QTcpSocket *client)
    {
        auto pipe = std::make_shared<Pipe>();
        pipe->client = client;
        pipe->server = new QTcpSocket(client);
        pipe->timer = new QTimer(client);
        pipe->timer->setSingleShot(true);
        m_pipes.append(pipe);
        QObject::connect(pipe->timer, &QTimer::timeout, client, [this, pipe] { release(*pipe); });
        QObject::connect(client, &QTcpSocket::readyRead, client, [this, pipe] { fromClient(pipe); });
        QObject::connect(pipe->server, &QTcpSocket::readyRead, client, [this, pipe] { fromServer(*pipe); });
        QObject::connect(client, &QTcpSocket::disconnected, client, [this, pipe] {
            pipe->server->abort();
            m_pipes.removeOne(pipe);
            pipe->client->deleteLater();
        });
        QObject::connect(pipe->server, &QTcpSocket::disconnected, client, [this, pipe] {
            release(*pipe);
            pipe->client->disconnectFromHost();
        });
        pipe->server->connectToHost(QHostAddress::LocalHost, m_target);
    }

    void fromClient(const std::shared_ptr<Pipe> &pipe)
    {
        pipe->fromClient += pipe->client->readAll();
        // GET requests have no body: each one ends with its blank line.
        qsizetype end = 0;
        while ((end = pipe->fromClient.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = pipe->fromClient.left(end + 4);
            pipe->fromClient.remove(0, end + 4);
            const QByteArray line = head.left(head.indexOf("\r\n"));
            requests << QString::fromUtf8(line);
            if (isPodList(line)) {
                bool prefetch = false;
                for (const std::shared_ptr<Pipe> &other : std::as_const(m_pipes))
                    prefetch = prefetch || (other != pipe && !other->held.isEmpty());
                if (onList)
                    onList(line, prefetch);
                for (const std::shared_ptr<Pipe> &other : std::as_const(m_pipes)) {
                    if (releaseOnRequest && other != pipe && !other->held.isEmpty()) {
                        ++releasedByRequest;
                        release(*other);
                    }
                }
                pipe->budget = headBytes;
            } else {
                pipe->budget = -1;
            }
            pipe->server->write(head);
        }
    }

    void fromServer(Pipe &pipe)
    {
        const QByteArray data = pipe.server->readAll();
        if (pipe.budget < 0) {
            pipe.client->write(data);
            return;
        }
        const qsizetype pass = std::min<qsizetype>(pipe.budget, data.size());
        pipe.client->write(data.left(pass));
        pipe.budget -= pass;
        pipe.held += data.mid(pass);
        if (!pipe.held.isEmpty() && !pipe.timer->isActive())
            pipe.timer->start(holdMs);
    }

    void release(Pipe &pipe)
    {
        pipe.timer->stop();
        pipe.budget = -1;
        if (!pipe.held.isEmpty())
            pipe.client->write(std::exchange(pipe.held, QByteArray()));
    }

    QTcpServer m_server;
    quint16 m_target = 0;
    QList<std::shared_ptr<Pipe>> m_pipes;
};

QString continueOf(const QString &line)
{
    const qsizetype at = line.indexOf(QLatin1StringView("continue="));
    if (at < 0)
        return QString();
    const qsizetype end = line.indexOf(QLatin1Char('&'), at);
    const qsizetype stop = std::min(end < 0 ? line.size() : end, line.indexOf(QLatin1Char(' '), at));
    return line.mid(at + 9, stop - at - 9);
}

} // namespace

class TestListPrefetch : public QObject
{
    Q_OBJECT

    std::unique_ptr<SimFixture> sim;
    std::unique_ptr<HoldingRelay> relay;
    std::unique_ptr<ClusterSession> session;
    Mirror mirror;
    Churner churner;
    QString stream;

    // A session that reaches the sim through the relay, listing 20 pods in pages of 5.
    void startSession()
    {
        const auto loaded = Kubeconfig::loadFile(sim->kubeconfigPath());
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        auto resolved = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        ResolvedContext context = std::get<ResolvedContext>(resolved);
        context.cluster.server.setPort(relay->port());
        SessionOptions options;
        options.coalesceMs = 20;
        options.seed = 7;
        options.listPageSize = 5;
        options.backoff.initialMs = 20;
        options.backoff.capMs = 200;
        session = std::make_unique<ClusterSession>(context, options);
        connect(session.get(), &ClusterSession::batchReady, this, [this](const Batch &batch) {
            if (batch.stream == stream)
                mirror.apply(batch);
        });
        stream = session->watch(podsSpec());
    }

    void waitForTheServersObjects()
    {
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("connected")), 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 15'000);
        QCOMPARE(mirror.objects.size(), sim->podCount());
    }

    qint64 lastErrors() const { return mirror.health.isEmpty() ? 0 : mirror.health.last().errors; }

private slots:
    void init()
    {
        sim = std::make_unique<SimFixture>();
        QVERIFY(sim->start());
        relay = std::make_unique<HoldingRelay>();
        QVERIFY(relay->listen(sim->port()));
        mirror = Mirror{};
    }

    void cleanup()
    {
        session.reset();
        relay.reset();
        sim.reset();
    }

    void a_prefetched_page_is_used_and_each_page_is_asked_for_once()
    {
        startSession();
        waitForTheServersObjects();
        const QStringList lists = relay->listRequests();
        QStringList tokens;
        for (const QString &line : lists)
            tokens << continueOf(line);
        QCOMPARE(lists.size(), 4); // 20 pods, 5 a page
        QVERIFY(tokens.first().isEmpty());
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size()); // none asked for twice
        // Every page but the last was still held back when the next one was asked for.
        QCOMPARE(relay->releasedByRequest, lists.size() - 1);
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist start")), 1);
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist end")), 1);
        QCOMPARE(lastErrors(), 0);
        QVERIFY(!mirror.hasHealth(QStringLiteral("relist cancelled")));
        // Each page's bytes count once: the body of all four pages, and no more than that.
        QTRY_VERIFY_WITH_TIMEOUT(!mirror.samples.isEmpty() && mirror.samples.last().state == StreamState::Live,
                                 5000);
        const cw::test::HttpResponse all = sim->request("GET", "/api/v1/pods");
        QVERIFY(all.ok());
        const qint64 bytes = mirror.samples.last().bytes;
        QVERIFY2(bytes >= all.body.size() && bytes < all.body.size() + 4 * 1024,
                 qPrintable(QString::number(bytes) + QLatin1StringView(" of ") + QString::number(all.body.size())));
    }

    void an_expired_continue_token_met_by_a_prefetch_restarts_the_list_from_page_one()
    {
        // The first prefetch finds its token expired: a write and a compaction just before it reaches the sim.
        bool compacted = false;
        relay->onList = [this, &compacted](const QByteArray &line, bool prefetch) {
            if (compacted || !prefetch || !line.contains("continue="))
                return;
            compacted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) {
                churner.change(s, 0, 1, 0);
                s.store()->compactNow();
            });
        };
        startSession();
        waitForTheServersObjects();
        QVERIFY(compacted);
        QVERIFY(mirror.hasHealth(QStringLiteral("relist cancelled")));
        const auto cancelled = std::find_if(mirror.health.cbegin(), mirror.health.cend(), [](const HealthEvent &e) {
            return e.reason == QLatin1StringView("relist cancelled");
        });
        QCOMPARE(cancelled->detail, QStringLiteral("continue token expired"));
        // The expired page was asked for once: the machine's request for it was the prefetch's answer.
        QStringList tokens;
        for (const QString &line : relay->listRequests())
            tokens << continueOf(line);
        QCOMPARE(tokens.count(QString()), 2); // page 1, then page 1 again
        tokens.removeAll(QString());
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size());
    }

    void a_relist_during_a_prefetch_drops_it_without_a_trace()
    {
        // While the first page is held and the second is being prefetched, the network changes: the machine
        // starts the list over and the prefetch must vanish without a failure, a count or an object. The held
        // page stays held, so the prefetch cannot have been adopted before the change is seen.
        relay->releaseOnRequest = false;
        bool restarted = false;
        relay->onList = [this, &restarted](const QByteArray &line, bool prefetch) {
            if (restarted || !prefetch || !line.contains("continue="))
                return;
            restarted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) { churner.change(s, 1, 1, 1); });
            session->networkRestored();
        };
        startSession();
        waitForTheServersObjects();
        QVERIFY(restarted);
        const auto cancelled = std::find_if(mirror.health.cbegin(), mirror.health.cend(), [](const HealthEvent &e) {
            return e.reason == QLatin1StringView("relist cancelled");
        });
        QVERIFY(cancelled != mirror.health.cend());
        QCOMPARE(cancelled->detail, QStringLiteral("network changed"));
        QCOMPARE(lastErrors(), 0); // the aborted page and the dropped prefetch are no failures
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist end")), 1);
        QVERIFY(mirror.recovered.isEmpty()); // the initial list, though restarted, is news
    }

    void verify_prefetches_its_pages_too()
    {
        startSession();
        waitForTheServersObjects();
        const qsizetype mark = relay->listRequests().size();
        const int released = relay->releasedByRequest;
        QSignalSpy verified(session.get(), &ClusterSession::verified);
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 10'000);
        const auto result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(!result.error);
        QCOMPARE(result.missing + result.extra + result.stale, 0);
        const QStringList lists = relay->listRequests().mid(mark);
        QStringList tokens;
        for (const QString &line : lists)
            tokens << continueOf(line);
        QCOMPARE(lists.size(), 4);
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size());
        QCOMPARE(relay->releasedByRequest - released, lists.size() - 1);
    }

    void verify_restarts_from_page_one_when_its_prefetch_meets_an_expired_token()
    {
        startSession();
        waitForTheServersObjects();
        const qsizetype mark = relay->listRequests().size();
        bool compacted = false;
        relay->onList = [this, &compacted](const QByteArray &line, bool prefetch) {
            if (compacted || !prefetch || !line.contains("continue="))
                return;
            compacted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) {
                churner.change(s, 0, 1, 0);
                s.store()->compactNow();
            });
        };
        QSignalSpy verified(session.get(), &ClusterSession::verified);
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 10'000);
        const auto result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(compacted);
        QVERIFY(!result.error);
        QCOMPARE(result.missing + result.extra, 0);
        QVERIFY(result.stale <= 1); // the one update may not have reached the store yet
        QStringList tokens;
        for (const QString &line : relay->listRequests().mid(mark))
            tokens << continueOf(line);
        QCOMPARE(tokens.count(QString()), 2); // page 1, then page 1 again after the expired token
        // Page 1 and the expired page 2 (asked for once: by the prefetch), then all four pages again.
        QCOMPARE(tokens.size(), 2 + 4);
    }

    void the_continue_token_is_read_from_the_head_of_a_page_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("result");
        QTest::addColumn<QString>("token");
        const int needMore = int(ContinuePeek::Result::NeedMore);
        const int found = int(ContinuePeek::Result::Token);
        const int none = int(ContinuePeek::Result::NoToken);
        const QByteArray page = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42",)"
                                R"("continue":"eyJ2IjoibWV0YSJ9","remainingItemCount":15},"items":[{"metadata":)";
        QTest::newRow("the sim's order") << page << found << QStringLiteral("eyJ2IjoibWV0YSJ9");
        QTest::newRow("cut inside the token") << page.left(page.indexOf("J9")) << needMore << QString();
        QTest::newRow("cut before the list meta") << page.left(20) << needMore << QString();
        QTest::newRow("cut inside a number") << page.left(page.indexOf("15") + 1) << needMore << QString();
        QTest::newRow("nothing yet") << QByteArray() << needMore << QString();
        QTest::newRow("pretty printed, selfLink first")
            << QByteArray("{\n  \"kind\": \"PodList\",\n  \"metadata\": {\n    \"selfLink\": \"/api/v1/pods\",\n"
                          "    \"continue\": \"abc\"\n  },\n  \"items\": [")
            << found << QStringLiteral("abc");
        QTest::newRow("the last page")
            << QByteArray(R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[)")
            << none << QString();
        QTest::newRow("an empty token") << QByteArray(R"({"metadata":{"continue":""},"items":[)") << none << QString();
        QTest::newRow("items before the list meta")
            << QByteArray(R"({"kind":"PodList","items":[],"metadata":{"continue":"abc"}})") << none << QString();
        QTest::newRow("an escaped token") << QByteArray(R"({"metadata":{"continue":"a\/b"},"items":[)") << none
                                          << QString();
        QTest::newRow("a nested list meta member")
            << QByteArray(R"({"metadata":{"x":{"continue":"abc"},"continue":"abc"},"items":[)") << none << QString();
        QTest::newRow("a plain text answer") << QByteArray("Too many requests, please try again later.\n") << none
                                             << QString();
        QTest::newRow("no list meta at all") << QByteArray(R"({"kind":"Status","code":410})") << none << QString();
    }

    void the_continue_token_is_read_from_the_head_of_a_page()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, result);
        QFETCH(QString, token);
        const ContinuePeek peek = peekContinueToken(head);
        QCOMPARE(int(peek.result), result);
        QCOMPARE(peek.token, token);
    }
};

CW_TEST(TestListPrefetch)

#include "tst_list_prefetch.moc"
