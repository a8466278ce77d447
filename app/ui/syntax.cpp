// SPDX-License-Identifier: Apache-2.0
#include "syntax.h"

#include "palette.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>

#include <QPalette>
#include <QPlainTextEdit>

using namespace Qt::StringLiterals;

namespace cw::ui::syntax {

KSyntaxHighlighting::Repository &repository()
{
    static KSyntaxHighlighting::Repository repo;
    static const bool searchPathAdded = [] {
        // The search path holds syntax/*.xml; the library lists resource directories like any other.
        repo.addCustomSearchPath(u":/clusterwatch"_s);
        return true;
    }();
    Q_UNUSED(searchPathAdded);
    return repo;
}

KSyntaxHighlighting::Definition yamlDefinition()
{
    return repository().definitionForName(u"Kubernetes YAML"_s);
}

KSyntaxHighlighting::Definition jsonDefinition()
{
    return repository().definitionForName(u"Kubernetes JSON"_s);
}

KSyntaxHighlighting::Theme themeFor(const QPalette &palette)
{
    return repository().defaultTheme(isDark(palette) ? KSyntaxHighlighting::Repository::DarkTheme
                                                     : KSyntaxHighlighting::Repository::LightTheme);
}

void applyTheme(KSyntaxHighlighting::SyntaxHighlighter *highlighter, QPlainTextEdit *editor,
                const QPalette &palette)
{
    using KSyntaxHighlighting::Theme;
    const Theme theme = themeFor(palette);
    highlighter->setTheme(theme);
    const QColor background = QColor::fromRgba(theme.editorColor(Theme::BackgroundColor));
    const QColor text = QColor::fromRgba(theme.textColor(Theme::Normal));
    const QColor selection = QColor::fromRgba(theme.editorColor(Theme::TextSelection));
    QPalette editorPalette = editor->palette();
    for (const auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        editorPalette.setColor(group, QPalette::Base, background);
        editorPalette.setColor(group, QPalette::Text, text);
        editorPalette.setColor(group, QPalette::Highlight, selection);
        editorPalette.setColor(group, QPalette::HighlightedText, text);
    }
    editor->setPalette(editorPalette);
    if (highlighter->document())
        highlighter->rehighlight();
}

} // namespace cw::ui::syntax
