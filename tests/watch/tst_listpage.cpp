// SPDX-License-Identifier: Apache-2.0
// LIST bodies and HTTP error bodies through the same decoder as watch lines.
#include "podfixture.h"
#include "testmain.h"
#include "watchevent.h"

#include <QTest>

using namespace cw::watch;
using cw::test::podObject;

namespace {

QByteArray listOf(const QList<QByteArray> &items)
{
    QByteArray body = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[)";
    for (qsizetype i = 0; i < items.size(); ++i)
        body += (i ? "," : "") + items[i];
    return body + "]}";
}

} // namespace

class TestListPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void a_list_page_decodes_items_and_paging()
    {
        const QByteArray body =
            R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"48213","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":3},"items":[)" +
            podObject(1) + ',' +
            R"({"metadata":{"name":"web-1","namespace":"demo","uid":"u-2","resourceVersion":"47001","managedFields":[]},"spec":{}})" +
            R"(,{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w","uid":"u-3","resourceVersion":"5"}}]})";
        const auto result = decodeListPage(body);
        QVERIFY(std::holds_alternative<ListPage>(result));
        const ListPage &page = std::get<ListPage>(result);
        QCOMPARE(page.kind, QStringLiteral("PodList"));
        QCOMPARE(page.resourceVersion, QStringLiteral("48213"));
        QCOMPARE(page.continueToken, QStringLiteral("eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"));
        QCOMPARE(page.remainingItemCount, std::optional<qint64>(3));
        QCOMPARE(page.items.size(), 3);
        QCOMPARE(page.items[0].name, QStringLiteral("web-1"));
        QVERIFY(!page.items[0].object.contains("managedFields"));
        QCOMPARE(
            page.items[1].object,
            QByteArray(
                R"({"metadata":{"name":"web-1","namespace":"demo","uid":"u-2","resourceVersion":"47001"},"spec":{}})"));
        // Built-in items carry no kind; it comes from the list.
        QCOMPARE(page.items[1].kind, QStringLiteral("Pod"));
        QCOMPARE(page.items[1].apiVersion, QStringLiteral("v1"));
        QCOMPARE(page.items[2].kind, QStringLiteral("Widget"));
        QCOMPARE(page.items[2].apiVersion, QStringLiteral("example.com/v1"));
    }

    void a_last_or_empty_list_page_decodes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("items");
        QTest::newRow("last page")
            << QByteArray(
                   R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a","resourceVersion":"6"}}]})")
            << 1;
        QTest::newRow("empty items")
            << QByteArray(
                   R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]})")
            << 0;
        QTest::newRow("null items")
            << QByteArray(
                   R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":null})")
            << 0;
    }
    void a_last_or_empty_list_page_decodes()
    {
        QFETCH(QByteArray, body);
        const auto result = decodeListPage(body);
        QVERIFY(std::holds_alternative<ListPage>(result));
        const ListPage &page = std::get<ListPage>(result);
        QTEST(int(page.items.size()), "items");
        QVERIFY(page.continueToken.isEmpty());
        QVERIFY(!page.remainingItemCount.has_value());
        QCOMPARE(page.resourceVersion, QStringLiteral("7"));
    }

    void bad_list_bodies_are_decode_errors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("a Status instead of a list")
            << QByteArray(
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"Expired","code":410})")
            << QStringLiteral("Status");
        QTest::newRow("no items") << QByteArray(R"({"kind":"PodList","metadata":{"resourceVersion":"7"}})")
                                  << QStringLiteral("no \"items\"");
        QTest::newRow("no resourceVersion") << QByteArray(R"({"kind":"PodList","metadata":{},"items":[]})")
                                            << QStringLiteral("no metadata.resourceVersion");
        QTest::newRow("item not an object")
            << QByteArray(R"({"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[1]})")
            << QStringLiteral("not a JSON object");
        QTest::newRow("invalid JSON in an item")
            << QByteArray(
                   R"({"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":x}}]})")
            << QStringLiteral("invalid JSON");
        QTest::newRow("truncated") << QByteArray(
                                          R"({"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[)")
                                   << QStringLiteral("invalid JSON");
    }
    void bad_list_bodies_are_decode_errors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, fragment);
        const auto result = decodeListPage(body);
        const auto *error = std::get_if<DecodeError>(&result);
        QVERIFY(error);
        QVERIFY2(error->message.contains(fragment), qPrintable(error->message));
    }

    // A page of 200 pods (a server's default is 500): every item in order, each as it decodes alone.
    void a_long_page_decodes_every_item_in_order()
    {
        QList<QByteArray> pods;
        for (int i = 0; i < 200; ++i)
            pods.append(podObject(i));
        const ListPageResult result = decodeListPage(listOf(pods));
        const auto *error = std::get_if<DecodeError>(&result);
        QVERIFY2(!error, error ? qPrintable(error->message) : "");
        const ListPage &page = std::get<ListPage>(result);
        QCOMPARE(page.items.size(), pods.size());
        for (int i = 0; i < 200; ++i) {
            const auto alone = decodeListPage(listOf({pods[i]}));
            QCOMPARE(page.items[i].name, QStringLiteral("web-%1").arg(i));
            QCOMPARE(page.items[i].object, std::get<ListPage>(alone).items.value(0).object);
            QCOMPARE(page.items[i].kind, QStringLiteral("Pod"));
            QCOMPARE(page.items[i].ns, QStringLiteral("demo"));
        }
    }

    void the_first_error_of_a_long_page_is_reported_data()
    {
        QTest::addColumn<QList<int>>("broken");
        QTest::newRow("late in the page") << QList<int>{150};
        QTest::newRow("early in the page") << QList<int>{20};
        QTest::newRow("early and late") << QList<int>{20, 150};
        QTest::newRow("the last item") << QList<int>{199};
    }
    void the_first_error_of_a_long_page_is_reported()
    {
        QFETCH(QList<int>, broken);
        QList<QByteArray> pods;
        for (int i = 0; i < 200; ++i) {
            QByteArray pod = podObject(i);
            if (broken.contains(i))
                pod.replace("\"spec\":{", "\"spec\":{\"x\":tru,");
            pods.append(pod);
        }
        const QByteArray body = listOf(pods);
        const ListPageResult result = decodeListPage(body);
        const auto *error = std::get_if<DecodeError>(&result);
        QVERIFY(error);
        QVERIFY2(error->message.startsWith(u"invalid JSON"), qPrintable(error->message));
        const qsizetype first = body.indexOf(pods[broken.first()]);
        QVERIFY2(error->position >= first && error->position < first + pods[broken.first()].size(),
                 qPrintable(QString::number(error->position)));
    }

    void error_bodies_decode_to_a_status_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("structured");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<QStringList>("causes");
        QTest::addColumn<QString>("continueToken");
        QTest::newRow("410 Status")
            << QByteArray(
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old","reason":"Expired","code":410})")
            << true << 410 << QStringLiteral("Expired") << QStringLiteral("too old") << 0 << QStringList()
            << QString();
        QTest::newRow("410 with an inconsistent continue token")
            << QByteArray(
                   R"({"kind":"Status","apiVersion":"v1","metadata":{"continue":"abc"},"status":"Failure","message":"m","reason":"Expired","code":410})")
            << true << 410 << QStringLiteral("Expired") << QStringLiteral("m") << 0 << QStringList()
            << QStringLiteral("abc");
        QTest::newRow("429 plain text from priority and fairness")
            << QByteArray("Too many requests, please try again later.\n") << false << 0 << QString()
            << QStringLiteral("Too many requests, please try again later.") << 0 << QStringList()
            << QString();
        QTest::newRow("429 Status while the watch cache is not ready")
            << QByteArray(
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429})")
            << true << 429 << QStringLiteral("TooManyRequests") << QStringLiteral("Too many requests") << 1
            << QStringList() << QString();
        QTest::newRow("504 too large resource version")
            << QByteArray(
                   R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: Too large resource version: 9, current: 8","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})")
            << true << 504 << QStringLiteral("Timeout")
            << QStringLiteral("Timeout: Too large resource version: 9, current: 8") << 1
            << QStringList{QStringLiteral("ResourceVersionTooLarge")} << QString();
        QTest::newRow("proxy HTML") << QByteArray("<html><body>502 Bad Gateway</body></html>") << false << 0
                                    << QString()
                                    << QStringLiteral("<html><body>502 Bad Gateway</body></html>") << 0
                                    << QStringList() << QString();
        QTest::newRow("empty body") << QByteArray() << false << 0 << QString() << QString() << 0
                                    << QStringList() << QString();
        QTest::newRow("cut-off Status")
            << QByteArray(R"({"kind":"Status","code":)") << false << 0 << QString()
            << QStringLiteral(R"({"kind":"Status","code":)") << 0 << QStringList() << QString();
    }
    void error_bodies_decode_to_a_status()
    {
        QFETCH(QByteArray, body);
        const Status status = decodeStatus(body);
        QTEST(status.structured, "structured");
        QTEST(status.code, "code");
        QTEST(status.reason, "reason");
        QTEST(status.message, "message");
        QTEST(status.retryAfterSeconds, "retryAfter");
        QTEST(status.causes, "causes");
        QTEST(status.continueToken, "continueToken");
    }
};

CW_TEST(TestListPage)
#include "tst_listpage.moc"
