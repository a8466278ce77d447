// SPDX-License-Identifier: Apache-2.0
#include "jobs.h"

#include "names.h"
#include "workloads.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

struct JobSpec
{
    const char *name;
    const char *image;
    const char *command[4];
    const char *cpu;
    const char *memory;
    const char *restartPolicy;
};

constexpr JobSpec kJobs[] = {
    {"db-backup",
     "postgres:16.4",
     {"/bin/sh", "-c", "pg_dump \"$DATABASE_URL\" | gzip > /backup/dump.sql.gz", nullptr},
     "100m",
     "256Mi",
     "OnFailure"},
    {"report-generator",
     "ghcr.io/acme/reports:v1.3.0",
     {"/app/reports", "--since=24h", "--format=pdf", nullptr},
     "250m",
     "512Mi",
     "Never"},
    {"cache-warmer",
     "ghcr.io/acme/cache-warmer:v0.4.2",
     {"/cache-warmer", "--concurrency=8", nullptr, nullptr},
     "100m",
     "128Mi",
     "Never"},
    {"cert-check",
     "curlimages/curl:8.10.1",
     {"sh", "-c", "curl -fsS https://status.example.com/healthz", nullptr},
     "10m",
     "16Mi",
     "Never"},
    {"log-compactor",
     "ghcr.io/acme/log-compactor:v2.1.0",
     {"/log-compactor", "--retention=168h", nullptr, nullptr},
     "200m",
     "256Mi",
     "OnFailure"},
};

} // namespace

int jobCatalogSize()
{
    return int(std::size(kJobs));
}

JobPods jobFor(int kind, qint64 scheduledMs, QRandomGenerator &rng)
{
    const JobSpec &spec = kJobs[kind % jobCatalogSize()];
    JobPods job;
    job.jobName = QString::fromLatin1(spec.name) + QLatin1Char('-') + QString::number(scheduledMs / 60'000);
    const QString uid = randomUuid(rng);
    job.owner = ownerReference(u"batch/v1"_s, u"Job"_s, job.jobName, uid);
    QJsonArray command;
    for (const char *part : spec.command) {
        if (part)
            command.append(QString::fromLatin1(part));
    }
    const QJsonObject container{
        {"name"_L1, QString::fromLatin1(spec.name)},
        {"image"_L1, QString::fromLatin1(spec.image)},
        {"command"_L1, command},
        {"resources"_L1,
         QJsonObject{{"requests"_L1, QJsonObject{{"cpu"_L1, QString::fromLatin1(spec.cpu)},
                                                 {"memory"_L1, QString::fromLatin1(spec.memory)}}}}},
        {"terminationMessagePath"_L1, u"/dev/termination-log"_s},
        {"terminationMessagePolicy"_L1, u"File"_s},
        {"imagePullPolicy"_L1, u"IfNotPresent"_s}};
    const QJsonObject labels{{"batch.kubernetes.io/controller-uid"_L1, uid},
                             {"batch.kubernetes.io/job-name"_L1, job.jobName},
                             {"controller-uid"_L1, uid},
                             {"job-name"_L1, job.jobName}};
    job.podTemplate = {{"metadata"_L1, QJsonObject{{"labels"_L1, labels}}},
                       {"spec"_L1, QJsonObject{{"containers"_L1, QJsonArray{container}},
                                               {"restartPolicy"_L1, QString::fromLatin1(spec.restartPolicy)},
                                               {"terminationGracePeriodSeconds"_L1, 30},
                                               {"dnsPolicy"_L1, u"ClusterFirst"_s},
                                               {"securityContext"_L1, QJsonObject()},
                                               {"schedulerName"_L1, u"default-scheduler"_s}}}};
    return job;
}

} // namespace cw::sim
