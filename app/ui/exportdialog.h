// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QComboBox;
class QLineEdit;
class QRadioButton;

namespace cw::ui {

// Where to export, in which format, and (for the event log) whether only what the filters show.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    enum What { EventLog, HealthLog, Chart };
    explicit ExportDialog(What what, QWidget *parent = nullptr);

    QString path() const;
    bool filteredOnly() const;

private:
    void browse();
    void formatChanged();

    What m_what;
    QLineEdit *m_path = nullptr;
    QComboBox *m_format = nullptr;
    QRadioButton *m_filtered = nullptr;
    QRadioButton *m_all = nullptr;
};

} // namespace cw::ui
