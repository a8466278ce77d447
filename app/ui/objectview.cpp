// SPDX-License-Identifier: Apache-2.0
#include "objectview.h"

#include "outputs.h"
#include "syntax.h"
#include "yamlwriter.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>

#include <QActionGroup>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPromise>
#include <QScrollBar>
#include <QTextCursor>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::ui {
namespace {

constexpr QStringView kMask = u"••••••••";
constexpr QLatin1StringView kLastApplied = "kubectl.kubernetes.io/last-applied-configuration"_L1;

bool sameObject(const watch::ObjectRecord &a, const watch::ObjectRecord &b)
{
    if (!a.uid.isEmpty() && !b.uid.isEmpty())
        return a.uid == b.uid;
    return a.kind == b.kind && a.ns == b.ns && a.name == b.name;
}

QString displayName(const watch::ObjectRecord &o)
{
    return o.kind + u' ' + (o.ns.isEmpty() ? o.name : o.ns + u'/' + o.name);
}

// Keys stay (they say what is stored); values, and anything that is not a map of values, are masked.
QJsonObject maskedSecret(QJsonObject root)
{
    for (const auto field : {"data"_L1, "stringData"_L1}) {
        const auto it = root.find(field);
        if (it == root.end())
            continue;
        QJsonObject values = it->toObject();
        for (auto value = values.begin(); value != values.end(); ++value)
            *value = kMask.toString();
        *it = it->isObject() ? QJsonValue(values) : QJsonValue(kMask.toString());
    }
    QJsonObject metadata = root.value("metadata"_L1).toObject();
    QJsonObject annotations = metadata.value("annotations"_L1).toObject();
    if (annotations.contains(kLastApplied)) {
        annotations.insert(kLastApplied, kMask.toString());
        metadata.insert(u"annotations"_s, annotations);
        root.insert(u"metadata"_s, metadata);
    }
    return root;
}

QString sizeText(qsizetype characters)
{
    return QLocale().formattedDataSize(characters, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

ObjectView::ObjectView(QWidget *parent) : QWidget(parent)
{
    auto *toolBar = new QToolBar(this);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *formats = new QActionGroup(this);
    m_yamlAction = toolBar->addAction(tr("YAML"));
    m_jsonAction = toolBar->addAction(tr("JSON"));
    for (QAction *action : {m_yamlAction, m_jsonAction}) {
        action->setCheckable(true);
        formats->addAction(action);
    }
    m_yamlAction->setChecked(true);
    connect(m_yamlAction, &QAction::triggered, this, [this] { setFormat(Format::Yaml); });
    connect(m_jsonAction, &QAction::triggered, this, [this] { setFormat(Format::Json); });
    toolBar->addSeparator();
    const auto addToggle = [&](const QString &text, void (ObjectView::*slot)(bool)) {
        QAction *action = toolBar->addAction(text);
        action->setCheckable(true);
        connect(action, &QAction::toggled, this, slot);
        return action;
    };
    m_managedFieldsAction = addToggle(tr("Show managedFields"), &ObjectView::setShowManagedFields);
    m_revealAction = addToggle(tr("Reveal secret data"), &ObjectView::setSecretRevealed);
    m_revealAction->setToolTip(tr("Show the values of this Secret (base64, as kubectl prints them)"));
    connect(m_revealAction, &QAction::toggled, this, &ObjectView::setSecretRevealed);
    m_copyAction = toolBar->addAction(tr("Copy"));
    m_copyAction->setToolTip(tr("Copy the text as shown (masked values stay masked)"));
    connect(m_copyAction, &QAction::triggered, this, &ObjectView::copyToClipboard);
    m_status = new QLabel(this);
    m_status->setContentsMargins(8, 0, 0, 0);
    toolBar->addWidget(m_status);

    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::RichText);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_mark = new QLabel(this);
    m_mark->setContentsMargins(6, 1, 6, 1);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_mark);

    m_editor = new QPlainTextEdit(this);
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->document()->setUndoRedoEnabled(false); // read-only: undo would only keep old copies
    m_highlighter = new KSyntaxHighlighting::SyntaxHighlighter(m_editor->document());
    m_highlighter->setDefinition(syntax::yamlDefinition());

    m_sliceTimer = new QTimer(this); // slices of a huge text go in between events
    m_sliceTimer->setSingleShot(true);
    m_sliceTimer->setInterval(0);
    connect(m_sliceTimer, &QTimer::timeout, this, &ObjectView::appendSlice);

    m_renderWatcher = new QFutureWatcher<QString>(this);
    connect(m_renderWatcher, &QFutureWatcher<QString>::finished, this, &ObjectView::renderFinished);

    m_flashTimer = new QTimer(this);
    m_flashTimer->setSingleShot(true);
    m_flashTimer->setInterval(ChangeFlashMs);
    connect(m_flashTimer, &QTimer::timeout, this, &ObjectView::updateMarkStyle);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toolBar);
    layout->addLayout(header);
    layout->addWidget(m_editor, 1);

    applyTheme();
    updateControls();
}

ObjectView::~ObjectView() = default;

void ObjectView::showObject(watch::ObjectRef object)
{
    if (!object) {
        clear();
        return;
    }
    const bool same = m_object && sameObject(*m_object, *object);
    if (same && object->resourceVersion == m_object->resourceVersion && !isDeleted())
        return; // nothing new: a re-selection or a heartbeat
    const bool update = same && m_object->resourceVersion != object->resourceVersion;
    m_object = std::move(object);
    m_deletedAt = {};
    if (update) {
        m_changeMark = tr("changed %1 · rv %2")
                           .arg(QTime::currentTime().toString(u"HH:mm:ss"_s), m_object->resourceVersion);
        m_flashTimer->start();
    } else if (!same) {
        forgetObjectState();
    }
    if (m_showManagedFields)
        requestFullObject();
    updateTitle();
    updateControls();
    refresh(same);
}

void ObjectView::showDeleted()
{
    if (!m_object)
        return;
    m_deletedAt = QDateTime::currentDateTime();
    updateTitle();
}

void ObjectView::clear()
{
    m_object.reset();
    forgetObjectState();
    m_deletedAt = {};
    updateTitle();
    m_rendering = false;
    m_renderWatcher->setFuture(QFuture<QString>()); // a result still on its way is dropped
    showText(QString(), false);
}

void ObjectView::forgetObjectState()
{
    // What belongs to one object: another one starts masked, unmarked, without fetched fields.
    m_changeMark.clear();
    m_flashTimer->stop();
    m_revealed = false;
    m_managedFields = QJsonValue(QJsonValue::Undefined);
    m_fetchPending = false;
    m_fetchFailed = false;
}

QString ObjectView::title() const
{
    if (!m_object)
        return {};
    QString text = displayName(*m_object);
    if (isDeleted())
        text += tr(" · deleted %1").arg(m_deletedAt.time().toString(u"HH:mm:ss"_s));
    return text;
}

void ObjectView::setFormat(Format format)
{
    m_yamlAction->setChecked(format == Format::Yaml);
    m_jsonAction->setChecked(format == Format::Json);
    if (format == m_format)
        return;
    m_format = format;
    m_highlighter->setDefinition(format == Format::Yaml ? syntax::yamlDefinition()
                                                        : syntax::jsonDefinition());
    // Lines do not correspond between the formats: start at the top.
    refresh(false);
}

bool ObjectView::isSecret() const
{
    return m_object && app::isSecret(*m_object);
}

void ObjectView::setSecretRevealed(bool revealed)
{
    revealed = revealed && isSecret();
    if (m_revealAction->isChecked() != revealed)
        m_revealAction->setChecked(revealed); // re-enters through toggled(); the second call is a no-op
    if (revealed == m_revealed)
        return;
    m_revealed = revealed;
    refresh(true);
}

void ObjectView::setShowManagedFields(bool show)
{
    if (m_managedFieldsAction->isChecked() != show)
        m_managedFieldsAction->setChecked(show);
    if (show == m_showManagedFields)
        return;
    m_showManagedFields = show;
    if (show && m_object && m_managedFields.isUndefined())
        requestFullObject();
    updateControls();
    refresh(true);
}

void ObjectView::requestFullObject()
{
    m_fetchPending = true;
    m_fetchFailed = false;
    updateControls();
    emit fullObjectRequested(m_object->ns, m_object->name);
}

void ObjectView::setFullObject(const QByteArray &json)
{
    if (!m_object || !m_fetchPending)
        return;
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    const QJsonObject metadata = doc.object().value("metadata"_L1).toObject();
    if (doc.isObject()) {
        const QString uid = metadata.value("uid"_L1).toString();
        const bool forThis = (!uid.isEmpty() && !m_object->uid.isEmpty())
                                 ? uid == m_object->uid
                                 : metadata.value("name"_L1).toString() == m_object->name &&
                                       metadata.value("namespace"_L1).toString() == m_object->ns;
        if (!forThis)
            return; // a late answer for an object shown before
    }
    m_fetchPending = false;
    m_fetchFailed = !doc.isObject();
    if (doc.isObject())
        m_managedFields = metadata.value("managedFields"_L1); // Undefined when the server keeps none
    updateControls();
    refresh(true);
}

void ObjectView::copyToClipboard()
{
    QGuiApplication::clipboard()->setText(m_text);
}

bool ObjectView::isHighlighted() const
{
    return m_highlighter->document() != nullptr;
}
QString ObjectView::statusText() const
{
    return m_status->text();
}
void ObjectView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void ObjectView::refresh(bool keepScroll)
{
    RenderInput input{m_object, m_format, isSecretMasked(),
                      m_showManagedFields ? m_managedFields : QJsonValue(QJsonValue::Undefined)};
    if (!m_object || m_object->object.size() <= AsyncRenderBytes) {
        m_rendering = false;
        m_renderWatcher->setFuture(QFuture<QString>());
        showText(render(input), keepScroll);
        return;
    }
    // Decoding and writing 20 MB take over a second: do it on a pool thread. A newer request replaces the
    // watcher's future, so only the latest result is shown.
    m_renderKeepScroll = m_rendering ? m_renderKeepScroll && keepScroll : keepScroll;
    m_rendering = true;
    auto promise = std::make_shared<QPromise<QString>>();
    m_renderWatcher->setFuture(promise->future());
    promise->start();
    QThreadPool::globalInstance()->start([promise, input = std::move(input)] {
        promise->addResult(render(input));
        promise->finish();
    });
    updateControls();
}

void ObjectView::renderFinished()
{
    if (!m_rendering || m_renderWatcher->future().resultCount() == 0)
        return;
    m_rendering = false;
    showText(m_renderWatcher->result(), m_renderKeepScroll);
}

QString ObjectView::render(const RenderInput &input)
{
    if (!input.object)
        return {};
    const watch::ObjectRecord &object = *input.object;
    const QJsonDocument doc = QJsonDocument::fromJson(object.object);
    if (!doc.isObject()) {
        // Never show what could not be inspected for masking; other kinds show the bytes as received.
        if (input.mask)
            return tr("# This Secret could not be decoded; its content is hidden.\n");
        return QString::fromUtf8(object.object);
    }
    QJsonObject root = doc.object();
    // LIST items of built-in types come without them (the list carries them once); kubectl shows them.
    if (!root.contains("kind"_L1) && !object.kind.isEmpty())
        root.insert(u"kind"_s, object.kind);
    if (!root.contains("apiVersion"_L1) && !object.apiVersion.isEmpty())
        root.insert(u"apiVersion"_s, object.apiVersion);
    if (!input.managedFields.isUndefined()) {
        QJsonObject metadata = root.value("metadata"_L1).toObject();
        metadata.insert(u"managedFields"_s, input.managedFields);
        root.insert(u"metadata"_s, metadata);
    }
    if (input.mask)
        root = maskedSecret(root);
    if (input.format == Format::Json)
        return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented));
    return toYaml(root);
}

void ObjectView::showText(const QString &text, bool keepScroll)
{
    if (text == m_text && !text.isEmpty()) {
        updateControls();
        return;
    }
    m_text = text;
    m_sliceTimer->stop();
    m_restoreTop = keepScroll ? m_editor->verticalScrollBar()->value() : 0;
    const int left = keepScroll ? m_editor->horizontalScrollBar()->value() : 0;
    // Highlighting runs inside setPlainText while attached: detach first for text too large to highlight.
    const bool highlight = text.size() <= HighlightLimit;
    if (!highlight)
        m_highlighter->setDocument(nullptr);
    m_loaded = highlight ? text.size() : sliceEnd(text, 0);
    m_editor->setPlainText(m_loaded == text.size() ? text : text.first(m_loaded));
    if (highlight && !m_highlighter->document()) {
        m_highlighter->setDocument(m_editor->document());
        m_highlighter->rehighlight(); // now, not on the next event loop turn: no unhighlighted flash
    }
    m_editor->horizontalScrollBar()->setValue(left);
    restoreScroll();
    if (m_loaded < m_text.size())
        m_sliceTimer->start();
    updateControls();
}

qsizetype ObjectView::sliceEnd(const QString &text, qsizetype from)
{
    // Whole lines, bounded in lines (the document's cost) and characters. Only a first line longer than
    // the character bound is cut; the next slice continues it, since slices append at the end.
    qsizetype limit = std::min(text.size(), from + SliceCharacters);
    if (limit < text.size() && text.at(limit - 1).isHighSurrogate())
        --limit;
    qsizetype end = from;
    for (int lines = 0; lines < SliceLines; ++lines) {
        const qsizetype newline = text.indexOf(u'\n', end);
        if (newline < 0 || newline >= limit)
            return end > from ? end : limit;
        end = newline + 1;
    }
    return end;
}

void ObjectView::appendSlice()
{
    const qsizetype end = sliceEnd(m_text, m_loaded);
    QTextCursor cursor(m_editor->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(m_text.sliced(m_loaded, end - m_loaded));
    m_loaded = end;
    restoreScroll();
    if (m_loaded < m_text.size())
        m_sliceTimer->start();
    updateControls();
}

void ObjectView::restoreScroll()
{
    // The scroll range grows with each slice: restore once the old position exists, or at the end.
    QScrollBar *vertical = m_editor->verticalScrollBar();
    if (m_restoreTop < 0 || (vertical->maximum() < m_restoreTop && isLoading()))
        return;
    vertical->setValue(m_restoreTop);
    m_restoreTop = -1;
}

void ObjectView::applyTheme()
{
    syntax::applyTheme(m_highlighter, m_editor, palette());
    updateMarkStyle();
}

void ObjectView::updateTitle()
{
    if (!m_object) {
        m_title->clear();
        return;
    }
    QString html = u"<b>"_s + displayName(*m_object).toHtmlEscaped() + u"</b>"_s;
    if (isDeleted()) {
        html = u"<s>"_s + html + u"</s> "_s +
               tr("deleted %1").arg(m_deletedAt.time().toString(u"HH:mm:ss"_s)).toHtmlEscaped();
    }
    m_title->setText(html);
}

void ObjectView::updateControls()
{
    const bool secret = isSecret();
    m_revealAction->setEnabled(secret);
    if (!secret && m_revealAction->isChecked())
        m_revealAction->setChecked(false);
    else if (secret && m_revealAction->isChecked() != m_revealed)
        m_revealAction->setChecked(m_revealed);
    m_copyAction->setEnabled(m_object != nullptr);

    QStringList status;
    if (m_showManagedFields && m_fetchPending)
        status << tr("fetching managedFields…");
    else if (m_showManagedFields && m_fetchFailed)
        status << tr("managedFields could not be fetched");
    else if (m_showManagedFields && m_object && m_managedFields.isUndefined())
        status << tr("no managedFields");
    if (!isHighlighted())
        status << tr("highlighting off: %1 is too large").arg(sizeText(m_text.size()));
    if (m_rendering)
        status << tr("rendering…");
    else if (isLoading())
        status << tr("loading %1 %").arg(m_loaded * 100 / m_text.size());
    m_status->setText(status.join(u" · "_s));
    m_mark->setText(m_changeMark);
    m_mark->setVisible(!m_changeMark.isEmpty());
    updateMarkStyle();
}

void ObjectView::updateMarkStyle()
{
    // Flashing: the selection colours, hard to miss. Afterwards: muted text, still readable.
    QPalette markPalette = palette();
    const bool flashing = m_flashTimer->isActive();
    m_mark->setAutoFillBackground(flashing);
    if (flashing) {
        markPalette.setColor(QPalette::Window, palette().color(QPalette::Highlight));
        markPalette.setColor(QPalette::WindowText, palette().color(QPalette::HighlightedText));
    } else {
        markPalette.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    }
    m_mark->setPalette(markPalette);
}

} // namespace cw::ui
