// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

// Pods of CronJob-made Jobs. The sim does not serve batch/v1, so a Job exists only as its pods' owner.
namespace cw::sim {

struct JobPods
{
    QString jobName;
    QJsonObject podTemplate;
    QJsonObject owner;
};

int jobCatalogSize();
// The Job a CronJob of kind `kind` creates for the schedule time `scheduledMs`, named like the CronJob
// controller names it (cronjob name + scheduled time in minutes).
JobPods jobFor(int kind, qint64 scheduledMs, QRandomGenerator &rng);

} // namespace cw::sim
