// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QJsonValue>
#include <QTimer>
#include <QWidget>

class QAction;
class QLabel;
class QPlainTextEdit;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace cw::ui {

// One Kubernetes object as highlighted YAML (kubectl's layout, see toYaml) or JSON, read-only, kept live.
//
// - showObject() with the object already shown and a new resourceVersion replaces the text in place (scroll
//   position kept) and sets the change mark "changed 14:02:11 · rv 12345". The mark flashes (highlight
//   colours) for ChangeFlashMs so a change catches the eye, then stays, muted, until another object is
//   shown: "when did this last change" is worth keeping, a blinking label is not.
// - A different object (another uid; kind + namespace + name when there is no uid) resets the text, the
//   scroll position, the mark, and the secret reveal.
// - Secrets: the values of data and stringData, and the last-applied annotation (which copies them), show
//   as "••••••••" until "Reveal secret data" is checked; revealed, they show as kubectl prints them
//   (base64 for data), never decoded. Copy copies what is shown, so masked text stays masked.
// - managedFields: the store strips them, so checking "Show managedFields" emits fullObjectRequested();
//   setFullObject() answers with the whole object, whose managedFields are shown with the stored object.
//   While the box stays checked each new resourceVersion asks again (the fields change with every write).
// - Huge objects: highlighting costs about 10 µs a line and QTextDocument about 3 µs a line to take text
//   (measured: 540,000 lines of YAML took 1.5 s to set, 54,000 lines 0.55 s to highlight). Above
//   HighlightLimit characters the text is shown plain (the toolbar says so), and it goes into the editor in
//   slices of whole lines between events, the first slice at once: a 20 MB object shows its top at once and
//   the window stays responsive while the rest loads ("loading 40 %"). Objects above AsyncRenderBytes are
//   also decoded and written on a pool thread (20 MB take over a second). text() and Copy have the whole
//   text once isLoading() is false.
// - The theme is Breeze Light or Dark by the palette's lightness, re-chosen on palette changes; the editor
//   takes its colours from the theme so the text stays readable.
class ObjectView : public QWidget
{
    Q_OBJECT

public:
    enum class Format
    {
        Yaml,
        Json
    };
    Q_ENUM(Format)

    static constexpr qsizetype HighlightLimit = 512 * 1024; // characters; about 0.3 s to highlight
    static constexpr int SliceLines = 8000;                 // about 25 ms of QTextDocument work
    static constexpr qsizetype SliceCharacters = 1024 * 1024;
    static constexpr qsizetype AsyncRenderBytes = 1024 * 1024; // of JSON; rendered off the UI thread above
    static constexpr int ChangeFlashMs = 2500;

    explicit ObjectView(QWidget *parent = nullptr);
    ~ObjectView() override;

    void showObject(cw::watch::ObjectRef object);
    // The shown object was deleted: the header is struck through, the text stays for reading.
    void showDeleted();
    void clear();

    cw::watch::ObjectRef object() const { return m_object; }
    // What is shown, exactly as the user sees it (and as Copy copies it).
    QString text() const { return m_text; }
    // The header: "Pod shop/web-1", "Pod shop/web-1 · deleted 14:02:11".
    QString title() const;
    bool isDeleted() const { return m_deletedAt.isValid(); }

    Format format() const { return m_format; }
    void setFormat(Format format);

    bool isSecret() const;
    // A Secret whose values are hidden (the default).
    bool isSecretMasked() const { return isSecret() && !m_revealed; }
    void setSecretRevealed(bool revealed);

    bool showsManagedFields() const { return m_showManagedFields; }
    void setShowManagedFields(bool show);
    // A fullObjectRequested() not yet answered.
    bool isFetchPending() const { return m_fetchPending; }

    // "changed 14:02:11 · rv 12345"; empty until the shown object changes.
    QString changeMark() const { return m_changeMark; }
    bool isChangeFlashing() const { return m_flashTimer->isActive(); }

    // A huge object still rendering on the pool or going into the editor slice by slice.
    bool isLoading() const { return m_rendering || m_loaded < m_text.size(); }
    // False when the text is shown plain (above HighlightLimit); the toolbar's status says why.
    bool isHighlighted() const;
    QString statusText() const;
    KSyntaxHighlighting::SyntaxHighlighter *highlighter() const { return m_highlighter; }
    QPlainTextEdit *editor() const { return m_editor; }

public Q_SLOTS:
    // The whole object (as ClusterSession::fetch returns it) for the shown one; an empty or undecodable
    // answer ends the wait and says the fields could not be fetched; an answer for another object is ignored.
    void setFullObject(const QByteArray &json);
    void copyToClipboard();

Q_SIGNALS:
    void fullObjectRequested(const QString &ns, const QString &name);

protected:
    void changeEvent(QEvent *event) override;

private:
    void forgetObjectState();
    void requestFullObject();
    struct RenderInput
    {
        cw::watch::ObjectRef object;
        Format format = Format::Yaml;
        bool mask = false;
        QJsonValue managedFields; // Undefined: shown without them
    };
    // The text for the current object and options; pure, so it can run on a pool thread.
    static QString render(const RenderInput &input);
    void refresh(bool keepScroll);
    void renderFinished();
    void showText(const QString &text, bool keepScroll);
    static qsizetype sliceEnd(const QString &text, qsizetype from);
    void appendSlice();
    void restoreScroll();
    void applyTheme();
    void updateTitle();
    void updateControls();
    void updateMarkStyle();

    cw::watch::ObjectRef m_object;
    QJsonValue m_managedFields; // from the last setFullObject() for this object; Undefined: none yet
    bool m_fetchPending = false;
    bool m_fetchFailed = false;
    Format m_format = Format::Yaml;
    bool m_revealed = false;
    bool m_showManagedFields = false;
    QString m_text;
    qsizetype m_loaded = 0; // characters of m_text in the editor
    int m_restoreTop = -1;  // scroll position to restore once the editor has that many lines
    QString m_changeMark;
    QDateTime m_deletedAt;

    QLabel *m_title = nullptr;
    QLabel *m_mark = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_yamlAction = nullptr;
    QAction *m_jsonAction = nullptr;
    QAction *m_managedFieldsAction = nullptr;
    QAction *m_revealAction = nullptr;
    QAction *m_copyAction = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter = nullptr;
    QTimer *m_flashTimer = nullptr;
    QTimer *m_sliceTimer = nullptr;
    QFutureWatcher<QString> *m_renderWatcher = nullptr;
    bool m_rendering = false; // a render runs on the pool; the old text stays until it is done
    bool m_renderKeepScroll = false;
};

} // namespace cw::ui
