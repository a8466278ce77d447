// SPDX-License-Identifier: Apache-2.0
#include "exportdialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace cw::ui {

ExportDialog::ExportDialog(What what, QWidget *parent) : QDialog(parent), m_what(what)
{
    static const char *const titles[] = {"Export event log", "Export health log", "Export chart"};
    setWindowTitle(tr(titles[what]));
    const QString stamp = QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s);
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    static const char *const stems[] = {"clusterwatch-events-", "clusterwatch-health-", "clusterwatch-chart-"};
    m_path = new QLineEdit(QDir(dir).filePath(QLatin1StringView(stems[what]) + stamp));
    m_format = new QComboBox;
    if (what == EventLog) {
        m_format->addItem(tr("JSON Lines (.jsonl)"), u".jsonl"_s);
        m_format->addItem(tr("CSV (.csv)"), u".csv"_s);
    } else if (what == HealthLog) {
        m_format->addItem(tr("JSON Lines (.jsonl)"), u".jsonl"_s);
    } else {
        m_format->addItem(tr("PNG image (.png)"), u".png"_s);
    }
    m_path->setText(m_path->text() + m_format->currentData().toString());
    auto *browse = new QPushButton(tr("Browse…"));
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("File:"), pathRow);
    form->addRow(tr("Format:"), m_format);
    m_filtered = new QRadioButton(tr("What the timeline's filters show (or its selection)"));
    m_all = new QRadioButton(tr("Every event"));
    m_all->setChecked(true);
    if (what == EventLog) {
        form->addRow(tr("Events:"), m_all);
        form->addRow(QString(), m_filtered);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::formatChanged);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(620, sizeHint().height());
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

bool ExportDialog::filteredOnly() const
{
    return m_what == EventLog && m_filtered->isChecked();
}

void ExportDialog::browse()
{
    const QString suffix = m_format->currentData().toString();
    const QString chosen = QFileDialog::getSaveFileName(this, windowTitle(), path(), u"*"_s + suffix);
    if (!chosen.isEmpty())
        m_path->setText(chosen);
}

void ExportDialog::formatChanged()
{
    // The suffix follows the format: it is also what picks the format when the file is written.
    QFileInfo info(path());
    m_path->setText(info.dir().filePath(info.completeBaseName() + m_format->currentData().toString()));
}

} // namespace cw::ui
