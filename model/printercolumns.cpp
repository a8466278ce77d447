// SPDX-License-Identifier: Apache-2.0
// Which columns each kind prints, and which kind an API resource is.
#include "printers.h"

#include <QMap>

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

Column col(const char *title, Column::Sort sort = Column::Sort::Text, Column::Kind kind = Column::Kind::Value)
{
    Column column;
    column.title = QString::fromLatin1(title);
    column.sort = sort;
    column.kind = kind;
    column.ticks = sort == Column::Sort::Duration;
    return column;
}
Column nameCol() { return col("NAME", Column::Sort::Text, Column::Kind::Name); }
Column ageCol() { return col("AGE", Column::Sort::Duration, Column::Kind::Age); }
Column numCol(const char *title) { return col(title, Column::Sort::Number); }

} // namespace

QList<Column> TablePrinter::columnsFor(Kind kind)
{
    using S = Column::Sort;
    switch (kind) {
    case Kind::Pod: {
        Column restarts = numCol("RESTARTS");
        restarts.ticks = true; // "3 (5m ago)"
        return {nameCol(), col("READY"), col("STATUS"), restarts, ageCol(), col("NODE")};
    }
    case Kind::Deployment:
        return {nameCol(), col("READY"), numCol("UP-TO-DATE"), numCol("AVAILABLE"), ageCol()};
    case Kind::ReplicaSet:
        return {nameCol(), numCol("DESIRED"), numCol("CURRENT"), numCol("READY"), ageCol()};
    case Kind::StatefulSet:
        return {nameCol(), col("READY"), ageCol()};
    case Kind::DaemonSet:
        return {nameCol(),           numCol("DESIRED"),   numCol("CURRENT"),  numCol("READY"),
                numCol("UP-TO-DATE"), numCol("AVAILABLE"), col("NODE SELECTOR"), ageCol()};
    case Kind::Job:
        return {nameCol(), col("STATUS"), col("COMPLETIONS"), col("DURATION", S::Duration), ageCol()};
    case Kind::CronJob:
        return {nameCol(), col("SCHEDULE"), col("SUSPEND"), numCol("ACTIVE"), col("LAST SCHEDULE", S::Duration),
                ageCol()};
    case Kind::Node:
        return {nameCol(), col("STATUS"), col("ROLES"), ageCol(), col("VERSION")};
    case Kind::Service:
        return {nameCol(), col("TYPE"), col("CLUSTER-IP"), col("EXTERNAL-IP"), col("PORT(S)"), ageCol()};
    case Kind::ConfigMap:
        return {nameCol(), numCol("DATA"), ageCol()};
    case Kind::Secret:
        return {nameCol(), col("TYPE"), numCol("DATA"), ageCol()};
    case Kind::Namespace:
        return {nameCol(), col("STATUS"), ageCol()};
    case Kind::PersistentVolumeClaim:
        return {nameCol(),         col("STATUS"),       col("VOLUME"), col("CAPACITY"),
                col("ACCESS MODES"), col("STORAGECLASS"), ageCol()};
    case Kind::Ingress:
        return {nameCol(), col("CLASS"), col("HOSTS"), col("ADDRESS"), col("PORTS"), ageCol()};
    case Kind::CoreEvent:
    case Kind::EventsV1Event:
        return {col("LAST SEEN", S::Duration, Column::Kind::Age), col("TYPE"), col("REASON"), col("OBJECT"),
                col("MESSAGE")};
    case Kind::Generic:
        break;
    }
    return {nameCol(), ageCol()};
}

TablePrinter::Kind TablePrinter::kindFor(const cw::watch::ApiResource &api)
{
    const QString &g = api.group;
    const QString &k = api.kind;
    if (g.isEmpty()) {
        static const QMap<QString, Kind> core{
            {u"Pod"_s, Kind::Pod},
            {u"Node"_s, Kind::Node},
            {u"Service"_s, Kind::Service},
            {u"ConfigMap"_s, Kind::ConfigMap},
            {u"Secret"_s, Kind::Secret},
            {u"Namespace"_s, Kind::Namespace},
            {u"PersistentVolumeClaim"_s, Kind::PersistentVolumeClaim},
            {u"Event"_s, Kind::CoreEvent},
        };
        return core.value(k, Kind::Generic);
    }
    if (g == "apps"_L1) {
        if (k == "Deployment"_L1)
            return Kind::Deployment;
        if (k == "ReplicaSet"_L1)
            return Kind::ReplicaSet;
        if (k == "StatefulSet"_L1)
            return Kind::StatefulSet;
        if (k == "DaemonSet"_L1)
            return Kind::DaemonSet;
    }
    if (g == "batch"_L1) {
        if (k == "Job"_L1)
            return Kind::Job;
        if (k == "CronJob"_L1)
            return Kind::CronJob;
    }
    if (g == "networking.k8s.io"_L1 && k == "Ingress"_L1)
        return Kind::Ingress;
    if (g == "events.k8s.io"_L1 && k == "Event"_L1)
        return Kind::EventsV1Event;
    return Kind::Generic;
}

} // namespace cw::model
