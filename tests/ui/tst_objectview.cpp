// SPDX-License-Identifier: Apache-2.0
#include "objectview.h"
#include "syntax.h"
#include "testmain.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;
using cw::ui::ObjectView;
using cw::watch::ObjectRecord;
using cw::watch::ObjectRef;

namespace {

ObjectRef record(const QJsonObject &object)
{
    auto r = std::make_shared<ObjectRecord>();
    r->object = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QJsonObject metadata = object.value("metadata"_L1).toObject();
    r->ns = metadata.value("namespace"_L1).toString();
    r->name = metadata.value("name"_L1).toString();
    r->uid = metadata.value("uid"_L1).toString();
    r->resourceVersion = metadata.value("resourceVersion"_L1).toString();
    r->kind = object.value("kind"_L1).toString();
    r->apiVersion = object.value("apiVersion"_L1).toString();
    return r;
}

QJsonObject metadata(const QString &name, const QString &uid, const QString &rv)
{
    return {{u"name"_s, name}, {u"namespace"_s, u"shop"_s}, {u"uid"_s, uid}, {u"resourceVersion"_s, rv}};
}

QJsonObject deployment(const QString &uid, const QString &rv, int replicas = 3, int containers = 1)
{
    QJsonArray list;
    for (int i = 0; i < containers; ++i) {
        list.append(QJsonObject{{u"name"_s, u"c%1"_s.arg(i)},
                                {u"image"_s, u"nginx:1.25"_s},
                                {u"args"_s, QJsonArray{u"-c"_s, u"echo hello\nexit 0\n"_s}},
                                {u"ports"_s, QJsonArray{QJsonObject{{u"containerPort"_s, 80}}}}});
    }
    QJsonObject meta = metadata(u"web"_s, uid, rv);
    meta.insert(u"labels"_s, QJsonObject{{u"app"_s, u"web"_s}, {u"tier"_s, u"yes"_s}});
    return {{u"apiVersion"_s, u"apps/v1"_s},
            {u"kind"_s, u"Deployment"_s},
            {u"metadata"_s, meta},
            {u"spec"_s,
             QJsonObject{{u"replicas"_s, replicas},
                         {u"paused"_s, false},
                         {u"template"_s, QJsonObject{{u"spec"_s, QJsonObject{{u"containers"_s, list}}}}}}}};
}

QJsonObject secret(const QString &uid, const QString &rv)
{
    QJsonObject meta = metadata(u"db-credentials"_s, uid, rv);
    meta.insert(u"annotations"_s, QJsonObject{{u"kubectl.kubernetes.io/last-applied-configuration"_s,
                                               u"{\"stringData\":{\"token\":\"hunter2-token\"}}"_s}});
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Secret"_s},
            {u"type"_s, u"Opaque"_s},
            {u"metadata"_s, meta},
            {u"data"_s, QJsonObject{{u"password"_s, u"aHVudGVyMg=="_s}}},
            {u"stringData"_s, QJsonObject{{u"token"_s, u"hunter2-token"_s}}}};
}

QAction *action(ObjectView &view, const QString &text)
{
    const auto actions = view.findChildren<QAction *>();
    for (QAction *a : actions) {
        if (a->text() == text)
            return a;
    }
    qFatal("no action %s", qPrintable(text));
}

// Foreground colours the highlighter put into the document's layouts.
QSet<QRgb> foregroundColours(QTextDocument *document)
{
    QSet<QRgb> colours;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        const auto formats = block.layout()->formats();
        for (const QTextLayout::FormatRange &range : formats) {
            if (range.format.hasProperty(QTextFormat::ForegroundBrush))
                colours.insert(range.format.foreground().color().rgba());
        }
    }
    return colours;
}

// The foreground at a column of the first line starting with `linePrefix`; invalid when unformatted.
QColor colourAt(QTextDocument *document, const QString &linePrefix, int column)
{
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        if (!block.text().startsWith(linePrefix))
            continue;
        const auto formats = block.layout()->formats();
        for (const QTextLayout::FormatRange &range : formats) {
            if (column >= range.start && column < range.start + range.length)
                return range.format.foreground().color();
        }
        return {};
    }
    qFatal("no line starting with %s", qPrintable(linePrefix));
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
    p.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
    p.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    return p;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf0, 0xf0, 0xf0));
    p.setColor(QPalette::WindowText, QColor(0x10, 0x10, 0x10));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, Qt::black);
    return p;
}

} // namespace

class ObjectViewTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QGuiApplication::clipboard()->clear(); }

    void our_syntax_definitions_load_from_the_resources()
    {
        QVERIFY(cw::ui::syntax::yamlDefinition().isValid());
        QVERIFY(cw::ui::syntax::jsonDefinition().isValid());
        QCOMPARE(cw::ui::syntax::yamlDefinition().name(), u"Kubernetes YAML"_s);
        QCOMPARE(cw::ui::syntax::jsonDefinition().name(), u"Kubernetes JSON"_s);
    }

    void shows_an_object_as_highlighted_yaml()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        QVERIFY(view.text().startsWith(u"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"_s));
        QVERIFY(view.text().contains(u"    tier: \"yes\"\n"_s));
        QCOMPARE(view.editor()->toPlainText(), view.text());
        QCOMPARE(view.highlighter()->definition().name(), u"Kubernetes YAML"_s);
        QVERIFY(view.isHighlighted());
        const QSet<QRgb> colours = foregroundColours(view.editor()->document());
        QVERIFY2(colours.size() >= 3, qPrintable(QString::number(colours.size())));
    }

    void yaml_keys_values_and_blocks_get_their_own_colours()
    {
        ObjectView view;
        view.setPalette(lightPalette());
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        QTextDocument *doc = view.editor()->document();
        const QColor topKey = colourAt(doc, u"kind: "_s, 0);
        const QColor kind = colourAt(doc, u"kind: "_s, 6);
        const QColor key = colourAt(doc, u"  replicas: "_s, 2);
        const QColor number = colourAt(doc, u"  replicas: "_s, 12);
        const QColor boolean = colourAt(doc, u"  paused: "_s, 10);
        const QColor quoted = colourAt(doc, u"    tier: "_s, 10);
        const QColor block = colourAt(doc, u"          echo hello"_s, 10);
        const QList<QColor> all{topKey, kind, key, number, boolean, quoted, block};
        for (const QColor &c : all)
            QVERIFY(c.isValid());
        QVERIFY(topKey != key);
        QVERIFY(key != number);
        QVERIFY(number != boolean);
        QVERIFY(kind != key);
        QVERIFY(quoted != key && quoted != number);
        QVERIFY(block != key); // the script's lines are text, not "key: value"
    }

    void json_toggle_shows_indented_json()
    {
        ObjectView view;
        const QJsonObject object = deployment(u"u1"_s, u"100"_s);
        view.showObject(record(object));
        action(view, u"JSON"_s)->trigger();
        QCOMPARE(view.format(), ObjectView::Format::Json);
        QCOMPARE(view.text(), QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
        QCOMPARE(view.highlighter()->definition().name(), u"Kubernetes JSON"_s);
        QVERIFY(foregroundColours(view.editor()->document()).size() >= 3);
        action(view, u"YAML"_s)->trigger();
        QVERIFY(view.text().startsWith(u"apiVersion: apps/v1\n"_s));
    }

    void secret_values_are_masked_until_revealed()
    {
        ObjectView view;
        view.showObject(record(secret(u"s1"_s, u"5"_s)));
        QAction *reveal = action(view, u"Reveal secret data"_s);
        QVERIFY(reveal->isEnabled());
        QVERIFY(view.isSecretMasked());
        for (const QString &hidden : {u"aHVudGVyMg=="_s, u"hunter2"_s})
            QVERIFY2(!view.text().contains(hidden), qPrintable(view.text()));
        QVERIFY(view.text().contains(u"data:\n  password: ••••••••\n"_s));
        QVERIFY(view.text().contains(u"stringData:\n  token: ••••••••\n"_s));
        QVERIFY(view.text().contains(u"kubectl.kubernetes.io/last-applied-configuration: ••••••••\n"_s));
        QVERIFY(view.text().contains(u"metadata:\n"_s)); // the rest stays readable

        reveal->trigger();
        QVERIFY(!view.isSecretMasked());
        QVERIFY(view.text().contains(u"  password: aHVudGVyMg==\n"_s)); // base64, as kubectl shows it
        QVERIFY(view.text().contains(u"  token: hunter2-token\n"_s));

        view.setFormat(ObjectView::Format::Json);
        QVERIFY(view.text().contains(u"\"aHVudGVyMg==\""_s));
        reveal->trigger();
        QVERIFY(view.isSecretMasked());
        QVERIFY(!view.text().contains(u"aHVudGVyMg=="_s));
    }

    void reveal_is_only_for_secrets_and_never_carries_over()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"1"_s)));
        QAction *reveal = action(view, u"Reveal secret data"_s);
        QVERIFY(!reveal->isEnabled());
        QVERIFY(!view.isSecretMasked());
        view.showObject(record(secret(u"s1"_s, u"5"_s)));
        view.setSecretRevealed(true);
        QVERIFY(!view.isSecretMasked());
        view.showObject(record(secret(u"s1"_s, u"6"_s))); // the same Secret, updated: stays revealed
        QVERIFY(!view.isSecretMasked());
        view.showObject(record(secret(u"s2"_s, u"7"_s))); // another Secret: masked again
        QVERIFY(view.isSecretMasked());
        QVERIFY(!reveal->isChecked());
        QVERIFY(!view.text().contains(u"aHVudGVyMg=="_s));
    }

    void copy_puts_the_shown_text_on_the_clipboard()
    {
        ObjectView view;
        view.showObject(record(secret(u"s1"_s, u"5"_s)));
        action(view, u"Copy"_s)->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), view.text());
        QVERIFY(!QGuiApplication::clipboard()->text().contains(u"aHVudGVyMg=="_s));
        view.setSecretRevealed(true);
        view.copyToClipboard();
        QVERIFY(QGuiApplication::clipboard()->text().contains(u"aHVudGVyMg=="_s));
    }

    void a_new_resource_version_updates_in_place_and_sets_the_change_mark()
    {
        ObjectView view;
        view.resize(500, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showObject(record(deployment(u"u1"_s, u"100"_s, 3, 40)));
        QVERIFY(view.changeMark().isEmpty());
        QScrollBar *bar = view.editor()->verticalScrollBar();
        QVERIFY(bar->maximum() > 100);
        bar->setValue(bar->maximum() / 2);
        const int scrolled = bar->value();

        view.showObject(record(deployment(u"u1"_s, u"101"_s, 5, 40)));
        QVERIFY(view.text().contains(u"  replicas: 5\n"_s));
        QCOMPARE(bar->value(), scrolled);
        static const QRegularExpression mark(u"^changed \\d\\d:\\d\\d:\\d\\d · rv 101$"_s);
        QVERIFY2(mark.match(view.changeMark()).hasMatch(), qPrintable(view.changeMark()));
        QVERIFY(view.isChangeFlashing());
        QTRY_VERIFY_WITH_TIMEOUT(!view.isChangeFlashing(), ObjectView::ChangeFlashMs + 2000);
        QVERIFY(mark.match(view.changeMark()).hasMatch()); // settles, stays readable

        view.showObject(record(deployment(u"u1"_s, u"101"_s, 5, 40))); // the same version again
        QVERIFY(!view.isChangeFlashing());
    }

    void another_object_replaces_the_text_and_clears_the_mark()
    {
        ObjectView view;
        view.resize(500, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showObject(record(deployment(u"u1"_s, u"100"_s, 3, 40)));
        view.showObject(record(deployment(u"u1"_s, u"101"_s, 4, 40)));
        QVERIFY(!view.changeMark().isEmpty());
        view.editor()->verticalScrollBar()->setValue(50);

        view.showObject(record(deployment(u"u2"_s, u"102"_s, 4, 40))); // recreated: same name, new uid
        QVERIFY(view.changeMark().isEmpty());
        QVERIFY(!view.isChangeFlashing());
        QCOMPARE(view.editor()->verticalScrollBar()->value(), 0);
        QVERIFY(view.text().contains(u"uid: u2\n"_s));
    }

    void a_deleted_object_keeps_its_text_under_a_struck_header()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        const QString text = view.text();
        QCOMPARE(view.title(), u"Deployment shop/web"_s);
        view.showDeleted();
        QVERIFY(view.isDeleted());
        QVERIFY(view.title().startsWith(u"Deployment shop/web · deleted "_s));
        QCOMPARE(view.text(), text);
        const auto labels = view.findChildren<QLabel *>();
        const bool struck = std::any_of(labels.begin(), labels.end(), [](QLabel *label) {
            return label->text().startsWith(u"<s>"_s) && label->text().contains(u"shop/web"_s);
        });
        QVERIFY(struck);
        view.clear();
        QVERIFY(!view.isDeleted());
        QVERIFY(view.text().isEmpty());
        QVERIFY(view.title().isEmpty());
        QVERIFY(view.editor()->toPlainText().isEmpty());
    }

    void show_managed_fields_requests_and_shows_the_full_object()
    {
        ObjectView view;
        QSignalSpy requests(&view, &ObjectView::fullObjectRequested);
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        QVERIFY(!view.text().contains(u"managedFields"_s));
        action(view, u"Show managedFields"_s)->trigger();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.at(0).at(0).toString(), u"shop"_s);
        QCOMPARE(requests.at(0).at(1).toString(), u"web"_s);
        QVERIFY(view.isFetchPending());
        QVERIFY(view.statusText().contains(u"fetching managedFields"_s));

        QJsonObject full = deployment(u"u1"_s, u"100"_s);
        QJsonObject meta = full.value("metadata"_L1).toObject();
        meta.insert(u"managedFields"_s, QJsonArray{QJsonObject{{u"manager"_s, u"kubectl-client-side-apply"_s},
                                                               {u"operation"_s, u"Update"_s}}});
        full.insert(u"metadata"_s, meta);
        QJsonObject other = full;
        other.insert(u"metadata"_s, QJsonObject{{u"name"_s, u"web"_s}, {u"uid"_s, u"old-uid"_s}});
        view.setFullObject(QJsonDocument(other).toJson()); // a late answer for something else
        QVERIFY(view.isFetchPending());
        view.setFullObject(QJsonDocument(full).toJson());
        QVERIFY(!view.isFetchPending());
        QVERIFY2(view.text().contains(u"  managedFields:\n  - manager: kubectl-client-side-apply\n"_s),
                 qPrintable(view.text()));
        QVERIFY(view.statusText().isEmpty());

        // Each new version asks again: the fields change with every write.
        view.showObject(record(deployment(u"u1"_s, u"101"_s)));
        QCOMPARE(requests.size(), 2);
        action(view, u"Show managedFields"_s)->trigger();
        QVERIFY(!view.text().contains(u"managedFields"_s));
    }

    void a_failed_fetch_ends_the_wait_and_says_so()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        view.setShowManagedFields(true);
        view.setFullObject(QByteArray());
        QVERIFY(!view.isFetchPending());
        QVERIFY(view.statusText().contains(u"could not be fetched"_s));
        QVERIFY(view.text().startsWith(u"apiVersion: apps/v1\n"_s));
    }

    void palette_picks_the_breeze_theme_of_its_lightness()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        view.setPalette(darkPalette());
        QCOMPARE(view.highlighter()->theme().name(), u"Breeze Dark"_s);
        const QColor darkBase = view.editor()->palette().color(QPalette::Base);
        QVERIFY(darkBase.lightness() < 100);
        QCOMPARE(darkBase.rgba(),
                 view.highlighter()->theme().editorColor(KSyntaxHighlighting::Theme::BackgroundColor));
        const QSet<QRgb> darkColours = foregroundColours(view.editor()->document());
        view.setPalette(lightPalette());
        QCOMPARE(view.highlighter()->theme().name(), u"Breeze Light"_s);
        QVERIFY(view.editor()->palette().color(QPalette::Base).lightness() > 200);
        QVERIFY(foregroundColours(view.editor()->document()) !=
                darkColours); // rehighlighted in the new theme
    }

    // 20 MB of JSON, in long lines and in 850,000 short ones: rendered off the UI thread (showObject returns
    // with the view still loading), shown plain and in slices, and the toolbar says why there are no colours.
    // How long it takes and how long the event loop stalls meanwhile is `bench_ui --object-mb 20`'s to say.
    void a_huge_object_is_shown_plain_without_freezing()
    {
        QJsonObject data;
        const QString chunk = QString(1000, u'x');
        for (int i = 0; i < 10000; ++i)
            data.insert(u"key-%1"_s.arg(i, 6, 10, QChar(u'0')), chunk);
        QJsonObject huge = deployment(u"h1"_s, u"1"_s, 3, 95000);
        huge.insert(u"data"_s, data);
        const ObjectRef object = record(huge);
        QVERIFY(object->object.size() > 20'000'000);

        ObjectView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showObject(object);
        QVERIFY(view.isLoading());
        QVERIFY(view.statusText().contains(u"rendering"_s));
        // Slices are shown as they come: the text grows over several turns of the event loop.
        QSet<int> blockCounts;
        QTRY_VERIFY_WITH_TIMEOUT((blockCounts.insert(view.editor()->document()->blockCount()), !view.isLoading()),
                                 60000);
        QVERIFY2(blockCounts.size() >= 3, qPrintable(QString::number(blockCounts.size())));
        QVERIFY(!view.isHighlighted());
        QVERIFY(view.statusText().contains(u"highlighting off"_s));
        QVERIFY(view.text().startsWith(u"apiVersion: apps/v1\ndata:\n  key-000000: xxx"_s));
        QCOMPARE(view.editor()->document()->blockCount(), view.text().count(u'\n') + 1);
        QCOMPARE(view.editor()->toPlainText(), view.text());

        view.showObject(record(deployment(u"u2"_s, u"1"_s))); // small again: highlighted, synchronously
        QVERIFY(!view.isLoading());
        QVERIFY(view.isHighlighted());
        QVERIFY(foregroundColours(view.editor()->document()).size() >= 3);
        QVERIFY(!view.statusText().contains(u"highlighting off"_s));
    }

    void a_large_object_keeps_its_scroll_position_across_updates()
    {
        ObjectView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showObject(record(deployment(u"big"_s, u"1"_s, 3, 20000))); // about 2 MB: async and sliced
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 30000);
        QScrollBar *bar = view.editor()->verticalScrollBar();
        bar->setValue(150000);
        view.showObject(record(deployment(u"big"_s, u"2"_s, 4, 20000)));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 30000);
        QVERIFY(view.text().contains(u"  replicas: 4\n"_s));
        QCOMPARE(bar->value(), 150000);
        QVERIFY(!view.changeMark().isEmpty());
    }

    // The Debian-assembled library must be the Qt 6 build: a Qt 5 library in this process would abort it.
    void no_qt5_library_is_loaded()
    {
        ObjectView view;
        view.showObject(record(deployment(u"u1"_s, u"100"_s)));
        QFile maps(u"/proc/self/maps"_s);
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray loaded = maps.readAll();
        QVERIFY(loaded.contains("SyntaxHighlighting.so"));
        QVERIFY(!loaded.contains("libQt5"));
    }
};

CW_TEST(ObjectViewTest)
#include "tst_objectview.moc"
