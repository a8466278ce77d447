// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace cw::model {

// One printed cell of one object version. Most cells are fixed text; a time cell ("5m", "3 (5m ago)") keeps
// the moment it counts from and is formatted against the clock when shown, since its text changes every
// second while the object does not.
struct Cell
{
    QString text;       // fixed text, or the text before the duration of a time cell
    QString suffix;     // time cells: the text after the duration
    qint64 sinceMs = 0; // time cells: the duration runs from here to now; 0: fixed text
    double number = 0;  // sort key of Number columns, and of Duration columns when fixed

    bool isTime() const { return sinceMs != 0; }
    QString display(qint64 nowMs) const;
};

struct Column
{
    // What the view needs to find: it hides NAMESPACE when one namespace is selected.
    enum class Kind { Namespace, Name, Age, Value };
    // How SortRole compares: text, a count, or a duration in seconds (AGE, LAST SEEN, DURATION).
    enum class Sort { Text, Number, Duration };

    QString title;
    Kind kind = Kind::Value;
    Sort sort = Sort::Text;
    bool ticks = false; // holds time cells: the model refreshes it every second
};

// The columns `kubectl get` prints for one resource and the function that derives them from an object, with
// kubectl's rules (kubernetes/pkg/printers/internalversion/printers.go). Namespaced resources get a
// NAMESPACE column first, as with `kubectl get -A`. Cheap to copy.
class TablePrinter
{
public:
    static TablePrinter forResource(const cw::watch::ApiResource &api);

    const QList<Column> &columns() const { return m_columns; }
    int columnCount() const { return int(m_columns.size()); }
    // -1 when the resource is cluster-scoped.
    int namespaceColumn() const { return m_namespaceColumn; }
    // One cell per column.
    QList<Cell> print(const QJsonObject &object) const;
    // Parses `json` and prints it as text at `nowMs`: for tests and tools, not for the model's hot path.
    QStringList printText(const QByteArray &json, qint64 nowMs) const;

    enum class Kind
    {
        Generic,
        Pod,
        Deployment,
        ReplicaSet,
        StatefulSet,
        DaemonSet,
        Job,
        CronJob,
        Node,
        Service,
        ConfigMap,
        Secret,
        Namespace,
        PersistentVolumeClaim,
        Ingress,
        CoreEvent,
        EventsV1Event,
    };
    Kind kind() const { return m_kind; }

private:
    static QList<Column> columnsFor(Kind kind);
    static Kind kindFor(const cw::watch::ApiResource &api);

    Kind m_kind = Kind::Generic;
    QList<Column> m_columns;
    int m_namespaceColumn = -1;
};

} // namespace cw::model
