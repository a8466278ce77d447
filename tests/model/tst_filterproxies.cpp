// SPDX-License-Identifier: Apache-2.0
#include "filterproxies.h"
#include "labelselector.h"
#include "resourcetablemodel.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cw::model;
using namespace Qt::StringLiterals;
using cw::watch::Batch;
using cw::watch::Change;
using cw::watch::ChangeType;
using cw::watch::ObjectRecord;
using cw::watch::ObjectRef;

namespace {

ObjectRef object(const QString &ns, const QString &name, const QVariantMap &labels, const QString &phase = u"Active"_s)
{
    const QJsonObject root{
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns},
                                   {u"creationTimestamp"_s, u"2024-05-01T11:00:00Z"_s},
                                   {u"labels"_s, QJsonObject::fromVariantMap(labels)}}},
        {u"spec"_s, QJsonObject{{u"schedule"_s, phase}}},
    };
    auto record = std::make_shared<ObjectRecord>();
    record->object = QJsonDocument(root).toJson(QJsonDocument::Compact);
    record->ns = ns;
    record->name = name;
    return record;
}

Batch batch(bool reset, const QList<ObjectRef> &snapshot, const QList<Change> &changes = {})
{
    Batch b;
    b.stream = u"cronjobs.batch"_s;
    b.reset = reset;
    b.snapshot = snapshot;
    b.changes = changes;
    return b;
}

Change change(ChangeType type, const ObjectRef &o, bool recovered = false)
{
    Change c;
    c.type = type;
    c.object = o;
    c.recovered = recovered;
    return c;
}

} // namespace

class TestLabelSelector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valid_selectors_parse_to_their_canonical_form_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::addRow("empty matches all") << QString() << QString();
        QTest::addRow("blank") << u"   "_s << QString();
        QTest::addRow("equals") << u"app=web"_s << u"app=web"_s;
        QTest::addRow("double equals") << u"app==web"_s << u"app=web"_s;
        QTest::addRow("not equals") << u"tier!=db"_s << u"tier!=db"_s;
        QTest::addRow("in") << u"env in (prod, staging)"_s << u"env in (prod,staging)"_s;
        QTest::addRow("notin") << u"env notin (dev)"_s << u"env notin (dev)"_s;
        QTest::addRow("exists") << u"canary"_s << u"canary"_s;
        QTest::addRow("does not exist") << u"!canary"_s << u"!canary"_s;
        QTest::addRow("spaces around tokens") << u" app = web , ! canary "_s << u"app=web,!canary"_s;
        QTest::addRow("prefixed key") << u"app.kubernetes.io/name=web"_s << u"app.kubernetes.io/name=web"_s;
        QTest::addRow("empty value") << u"app="_s << u"app="_s;
        QTest::addRow("several") << u"a=b,c!=d,e in (f),g,!h"_s << u"a=b,c!=d,e in (f),g,!h"_s;
    }
    void valid_selectors_parse_to_their_canonical_form()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QString error;
        const auto selector = LabelSelector::parse(text, &error);
        QVERIFY2(selector, qPrintable(error));
        QCOMPARE(selector->toString(), canonical);
    }

    void invalid_selectors_fail_with_a_clear_error_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::addRow("trailing comma") << u"app=web,"_s << u"expected a requirement after ','"_s;
        QTest::addRow("operator without key") << u"=web"_s << u"expected a label key at column 1"_s;
        QTest::addRow("unknown operator") << u"app ~ web"_s << u"expected '=', '==', '!=', 'in', 'notin'"_s;
        QTest::addRow("bang without equals") << u"app!web"_s << u"expected '=' after '!'"_s;
        QTest::addRow("in without parenthesis") << u"env in prod"_s << u"expected '(' after 'in'"_s;
        QTest::addRow("unclosed list") << u"env in (a,b"_s << u"missing ')'"_s;
        QTest::addRow("empty set") << u"env in ()"_s << u"'in' needs at least one value"_s;
        QTest::addRow("key too long") << QString(64, u'k') + u"=v"_s << u"invalid label key"_s;
        QTest::addRow("bad prefix") << u"Bad_Prefix/name=v"_s << u"prefix must be a DNS subdomain"_s;
        QTest::addRow("bad value") << u"app=-web"_s << u"invalid label value \"-web\""_s;
        QTest::addRow("two words") << u"app web"_s << u"expected '=', '==', '!=', 'in', 'notin'"_s;
        QTest::addRow("not exists with value") << u"!app=web"_s << u"'!key' takes no operator or value"_s;
    }
    void invalid_selectors_fail_with_a_clear_error()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!LabelSelector::parse(text, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void selectors_match_like_kubernetes_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QVariantMap>("labels");
        QTest::addColumn<bool>("matches");
        const QVariantMap web{{u"app"_s, u"web"_s}, {u"env"_s, u"prod"_s}};
        const QVariantMap none;
        QTest::addRow("equals") << u"app=web"_s << web << true;
        QTest::addRow("equals other value") << u"app=db"_s << web << false;
        QTest::addRow("equals needs the label") << u"app=web"_s << none << false;
        QTest::addRow("not equals other value") << u"app!=db"_s << web << true;
        QTest::addRow("not equals same value") << u"app!=web"_s << web << false;
        QTest::addRow("not equals without the label") << u"app!=web"_s << none << true;
        QTest::addRow("in") << u"env in (staging,prod)"_s << web << true;
        QTest::addRow("in, not listed") << u"env in (staging)"_s << web << false;
        QTest::addRow("in needs the label") << u"env in (prod)"_s << none << false;
        QTest::addRow("notin, not listed") << u"env notin (dev)"_s << web << true;
        QTest::addRow("notin, listed") << u"env notin (prod)"_s << web << false;
        QTest::addRow("notin without the label") << u"env notin (prod)"_s << none << true;
        QTest::addRow("exists") << u"app"_s << web << true;
        QTest::addRow("exists, absent") << u"canary"_s << web << false;
        QTest::addRow("does not exist") << u"!canary"_s << web << true;
        QTest::addRow("does not exist, present") << u"!app"_s << web << false;
        QTest::addRow("all requirements must hold") << u"app=web,env=dev"_s << web << false;
        QTest::addRow("empty matches everything") << QString() << none << true;
    }
    void selectors_match_like_kubernetes()
    {
        QFETCH(QString, selector);
        QFETCH(QVariantMap, labels);
        QFETCH(bool, matches);
        const auto parsed = LabelSelector::parse(selector);
        QVERIFY(parsed);
        QCOMPARE(parsed->matches(labels), matches);
    }

    void filter_bar_splits_into_selector_and_text_data()
    {
        QTest::addColumn<QString>("bar");
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("text");
        QTest::addRow("the example") << u"web app=web,tier!=db"_s << u"app=web,tier!=db"_s << u"web"_s;
        QTest::addRow("text only") << u"web  front"_s << QString() << u"web front"_s;
        QTest::addRow("selector only") << u"app=web"_s << u"app=web"_s << QString();
        QTest::addRow("separate selector terms are ANDed") << u"app=web tier!=db"_s << u"app=web,tier!=db"_s
                                                            << QString();
        QTest::addRow("set operators with spaces") << u"env in (prod, staging) api"_s << u"env in (prod, staging)"_s
                                                    << u"api"_s;
        QTest::addRow("notin") << u"x tier notin (db) y"_s << u"tier notin (db)"_s << u"x y"_s;
        QTest::addRow("negation") << u"!canary web"_s << u"!canary"_s << u"web"_s;
        QTest::addRow("trailing comma continues") << u"app=web, canary pods"_s << u"app=web,canary"_s << u"pods"_s;
        QTest::addRow("the word in stays text") << u"log in"_s << QString() << u"log in"_s;
    }
    void filter_bar_splits_into_selector_and_text()
    {
        QFETCH(QString, bar);
        QFETCH(QString, selector);
        QFETCH(QString, text);
        const FilterQuery query = splitFilterQuery(bar);
        QCOMPARE(query.selector, selector);
        QCOMPARE(query.text, text);
    }
};

class TestFilterProxies : public QObject
{
    Q_OBJECT

    std::unique_ptr<ResourceTableModel> m_model;
    std::unique_ptr<NamespaceFilterProxy> m_ns;
    std::unique_ptr<LabelSelectorProxy> m_labels;
    std::unique_ptr<TextFilterProxy> m_text;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

    QStringList visible() const
    {
        QStringList out;
        for (int r = 0; r < m_text->rowCount(); ++r) {
            const QModelIndex i = m_text->index(r, 0);
            out.append(i.data(ResourceTableModel::NamespaceRole).toString() + u'/'
                       + i.data(ResourceTableModel::NameRole).toString());
        }
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_model = std::make_unique<ResourceTableModel>();
        m_model->setFadeMs(0);
        cw::watch::ApiResource api;
        api.group = u"batch"_s;
        api.resource = u"cronjobs"_s;
        api.kind = u"CronJob"_s;
        m_model->setResource(api, u"cronjobs.batch"_s);
        m_ns = std::make_unique<NamespaceFilterProxy>();
        m_labels = std::make_unique<LabelSelectorProxy>();
        m_text = std::make_unique<TextFilterProxy>();
        const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
        for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *>{m_model.get(), m_ns.get(),
                                                                                 m_labels.get(), m_text.get()})
            m_testers.push_back(std::make_unique<QAbstractItemModelTester>(m, mode));
        m_ns->setSourceModel(m_model.get());
        m_labels->setSourceModel(m_ns.get());
        m_text->setSourceModel(m_labels.get());
        m_text->sort(1); // NAME
        m_model->applyBatch(batch(true, {object(u"shop"_s, u"web-a"_s, {{u"app"_s, u"web"_s}, {u"tier"_s, u"front"_s}}),
                                         object(u"shop"_s, u"db-a"_s, {{u"app"_s, u"db"_s}, {u"tier"_s, u"db"_s}}),
                                         object(u"blog"_s, u"web-b"_s, {{u"app"_s, u"web"_s}}, u"@hourly"_s),
                                         object(u"blog"_s, u"cache"_s, {})}));
    }
    void cleanup()
    {
        m_testers.clear();
        m_text.reset();
        m_labels.reset();
        m_ns.reset();
        m_model.reset();
    }

    void proxies_are_dynamic_non_recursive_and_sort_by_sort_role()
    {
        for (const QSortFilterProxyModel *p :
             std::initializer_list<const QSortFilterProxyModel *>{m_ns.get(), m_labels.get(), m_text.get()}) {
            QVERIFY(p->dynamicSortFilter());
            QVERIFY(!p->isRecursiveFilteringEnabled());
            QCOMPARE(p->sortRole(), int(ResourceTableModel::SortRole));
        }
    }

    void namespace_filter_keeps_one_namespace_or_all()
    {
        QCOMPARE(visible(), (QStringList{u"blog/cache"_s, u"shop/db-a"_s, u"shop/web-a"_s, u"blog/web-b"_s}));
        m_ns->setNamespace(u"shop"_s);
        QCOMPARE(visible(), (QStringList{u"shop/db-a"_s, u"shop/web-a"_s}));
        m_ns->setNamespace(QString());
        QCOMPARE(m_text->rowCount(), 4);
    }

    void label_selector_filters_and_a_bad_one_keeps_the_old()
    {
        QString error;
        QVERIFY(m_labels->setSelector(u"app=web"_s, &error));
        QCOMPARE(visible(), (QStringList{u"shop/web-a"_s, u"blog/web-b"_s}));
        QVERIFY(m_labels->setSelector(u"app=web,tier"_s, &error));
        QCOMPARE(visible(), (QStringList{u"shop/web-a"_s}));
        QVERIFY(!m_labels->setSelector(u"app in (web"_s, &error));
        QVERIFY(error.contains(u"missing ')'"_s));
        QCOMPARE(m_labels->selector(), u"app=web,tier"_s);
        QCOMPARE(visible(), (QStringList{u"shop/web-a"_s}));
        QVERIFY(m_labels->setSelector(u"!app"_s, &error));
        QCOMPARE(visible(), (QStringList{u"blog/cache"_s}));
        QVERIFY(m_labels->setSelector(QString(), &error));
        QCOMPARE(m_text->rowCount(), 4);
    }

    void text_filter_needs_every_word_case_insensitively()
    {
        m_text->setText(u"WEB"_s);
        QCOMPARE(visible(), (QStringList{u"shop/web-a"_s, u"blog/web-b"_s}));
        m_text->setText(u"web  blog"_s);
        QCOMPARE(visible(), (QStringList{u"blog/web-b"_s}));
        m_text->setText(u"@hourly"_s); // a printed cell, not only the name
        QCOMPARE(visible(), (QStringList{u"blog/web-b"_s}));
        m_text->setText(u"web nothing"_s);
        QCOMPARE(m_text->rowCount(), 0);
        m_text->setText(u"  "_s);
        QCOMPARE(m_text->rowCount(), 4);
    }

    void filter_changes_are_layout_changes_that_keep_persistent_indexes()
    {
        QList<ObjectRef> many;
        for (int i = 0; i < 6000; ++i)
            many.append(object(i % 2 ? u"shop"_s : u"blog"_s, u"job-%1"_s.arg(i, 5, 10, QLatin1Char('0')),
                               {{u"app"_s, i % 3 ? u"web"_s : u"db"_s}}));
        m_model->applyBatch(batch(true, many));
        QCOMPARE(m_text->rowCount(), many.size());
        const QPersistentModelIndex kept = m_text->index(m_text->rowCount() - 1, 0); // job-05999 (shop, web)
        QCOMPARE(kept.data(ResourceTableModel::NameRole).toString(), u"job-05999"_s);
        QSignalSpy layouts(m_text.get(), &QAbstractItemModel::layoutChanged);
        QSignalSpy removals(m_text.get(), &QAbstractItemModel::rowsRemoved);

        m_ns->setNamespace(u"shop"_s);
        QVERIFY(m_labels->setSelector(u"app=web"_s));
        m_text->setText(u"job-05"_s);
        QCOMPARE(removals.size(), 0);
        QCOMPARE(layouts.size(), 3);
        // Odd numbers (shop) not divisible by 3 (web) from 5000 to 5999.
        int expected = 0;
        for (int i = 5000; i < 6000; ++i)
            expected += (i % 2 && i % 3) ? 1 : 0;
        QCOMPARE(m_text->rowCount(), expected);
        QVERIFY(kept.isValid());
        QCOMPARE(kept.data(ResourceTableModel::NameRole).toString(), u"job-05999"_s);
        QCOMPARE(kept.row(), m_text->rowCount() - 1);
        for (int r = 1; r < m_text->rowCount(); ++r) // still sorted by NAME after every rebuild
            QVERIFY(m_text->index(r - 1, 1).data().toString() < m_text->index(r, 1).data().toString());
    }

    void filters_follow_changes_deletions_and_relists()
    {
        m_ns->setNamespace(u"shop"_s);
        QVERIFY(m_labels->setSelector(u"app=web"_s));
        m_text->setText(u"-a"_s);
        QCOMPARE(visible(), (QStringList{u"shop/web-a"_s}));

        // A relabel brings db-a in; a new object that matches appears; one that does not stays out.
        m_model->applyBatch(batch(false, {}, {change(ChangeType::Modified, object(u"shop"_s, u"db-a"_s, {{u"app"_s, u"web"_s}})),
                                              change(ChangeType::Added, object(u"shop"_s, u"api-a"_s, {{u"app"_s, u"web"_s}})),
                                              change(ChangeType::Added, object(u"blog"_s, u"web-c"_s, {{u"app"_s, u"web"_s}}))}));
        QCOMPARE(visible(), (QStringList{u"shop/api-a"_s, u"shop/db-a"_s, u"shop/web-a"_s}));

        m_model->applyBatch(batch(false, {}, {change(ChangeType::Deleted, m_model->objectAt(m_model->rowOf(u"shop"_s, u"web-a"_s)))}));
        QCOMPARE(visible(), (QStringList{u"shop/api-a"_s, u"shop/db-a"_s}));

        QSignalSpy resets(m_text.get(), &QAbstractItemModel::modelReset);
        const ObjectRef x = object(u"shop"_s, u"xyz-a"_s, {{u"app"_s, u"web"_s}});
        m_model->applyBatch(batch(true, {x, object(u"shop"_s, u"db-a"_s, {{u"app"_s, u"db"_s}})},
                                  {change(ChangeType::Added, x, true)}));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(visible(), (QStringList{u"shop/xyz-a"_s}));
    }
};

CW_TEST(TestLabelSelector)
CW_TEST(TestFilterProxies)
#include "tst_filterproxies.moc"
