// SPDX-License-Identifier: Apache-2.0
#include "workloads.h"

#include "names.h"
#include "podparts.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

struct AppSpec
{
    const char *name;
    const char *image;
    const char *tier;
    int port;
    const char *probePath;  // nullptr: TCP probes
    const char *cpuRequest; // nullptr: no resources at all (BestEffort)
    const char *memRequest;
    const char *cpuLimit; // nullptr: no CPU limit (the common Burstable setup)
    const char *memLimit;
    bool acmeEnv;  // in-house services share logging/tracing env
    bool liveness; // third-party charts ship liveness probes; the in-house apps only readiness
};

// Entry 0 is CoreDNS; its template is special-cased. App versions are recent releases.
constexpr AppSpec kApps[] = {
    {"coredns", "registry.k8s.io/coredns/coredns:v1.10.1", "dns", 53, "/health", "100m", "70Mi", nullptr,
     "170Mi", false, true},
    {"frontend", "nginx:1.27.2", "frontend", 80, "/", "50m", "64Mi", "200m", "128Mi", false, false},
    {"web", "ghcr.io/acme/web:v4.12.0", "frontend", 3000, "/healthz", "100m", "256Mi", nullptr, "512Mi", true,
     false},
    {"api-gateway", "ghcr.io/acme/api-gateway:v2.14.1", "frontend", 8080, "/healthz", "250m", "256Mi", "1",
     "512Mi", false, false},
    {"checkout", "ghcr.io/acme/checkout:v1.8.0", "backend", 8080, "/health/ready", "200m", "256Mi", nullptr,
     "512Mi", true, false},
    {"payments", "ghcr.io/acme/payments:v3.2.7", "backend", 8443, "/livez", "500m", "512Mi", "500m", "512Mi",
     false, false},
    {"cart", "ghcr.io/acme/cart:v1.21.3", "backend", 8080, "/healthz", "100m", "128Mi", nullptr, "256Mi",
     true, false},
    {"catalog", "ghcr.io/acme/catalog:v2.3.0", "backend", 8080, "/healthz", "200m", "384Mi", nullptr, "768Mi",
     true, false},
    {"orders", "ghcr.io/acme/orders:v5.1.4", "backend", 8080, "/healthz", "200m", "256Mi", nullptr, "512Mi",
     true, false},
    {"users", "ghcr.io/acme/users:v1.0.12", "backend", 8080, "/healthz", "100m", "128Mi", nullptr, "256Mi",
     true, false},
    {"auth", "quay.io/keycloak/keycloak:25.0.6", "backend", 8080, "/health/ready", "500m", "1Gi", nullptr,
     "2Gi", false, false},
    {"notifications", "ghcr.io/acme/notifications:v1.4.9", "worker", 9090, "/metrics", "50m", "64Mi", nullptr,
     "128Mi", true, false},
    {"search", "ghcr.io/acme/search:v0.19.4", "backend", 9200, "/_cluster/health", "1", "2Gi", "2", "2Gi",
     false, false},
    {"recommendations", "ghcr.io/acme/recommendations:v3.0.0-rc.2", "backend", 50051, nullptr, "300m",
     "512Mi", nullptr, "1Gi", true, false},
    {"shipping", "ghcr.io/acme/shipping:v2.2.8", "backend", 8080, "/healthz", "100m", "128Mi", nullptr,
     "256Mi", true, false},
    {"inventory", "ghcr.io/acme/inventory:v1.9.1", "backend", 8080, "/healthz", "100m", "192Mi", nullptr,
     "384Mi", true, false},
    {"email-worker", "ghcr.io/acme/email-worker:v2.0.1", "worker", 9090, "/metrics", "50m", "96Mi", nullptr,
     "192Mi", true, false},
    {"redis", "redis:7.4.1", "cache", 6379, nullptr, "100m", "128Mi", "100m", "128Mi", false, false},
    {"memcached", "memcached:1.6.31", "cache", 11211, nullptr, nullptr, nullptr, nullptr, nullptr, false,
     false},
    {"grafana", "grafana/grafana:11.2.2", "frontend", 3000, "/api/health", "100m", "128Mi", nullptr, "256Mi",
     false, false},
    {"image-resizer", "ghcr.io/acme/image-resizer:v1.2.0", "worker", 8080, "/healthz", "500m", "256Mi", "1",
     "512Mi", true, false},
    {"otel-collector", "otel/opentelemetry-collector-contrib:0.111.0", "backend", 4317, nullptr, "100m",
     "200Mi", nullptr, "400Mi", false, false},
    {"kafka-ui", "provectuslabs/kafka-ui:v0.7.2", "frontend", 8080, "/actuator/health", "100m", "256Mi",
     nullptr, "512Mi", false, false},
    {"pdf-renderer", "ghcr.io/acme/pdf-renderer:v0.9.3", "worker", 8080, "/healthz", "250m", "512Mi", nullptr,
     "1Gi", true, false},
};
constexpr int kAppCount = int(std::size(kApps));

QString s(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

QJsonObject probe(const AppSpec &spec, bool liveness)
{
    QJsonObject handler;
    QString kind;
    if (spec.probePath) {
        kind = u"httpGet"_s;
        handler = {{"path"_L1, s(spec.probePath)}, {"port"_L1, spec.port}, {"scheme"_L1, u"HTTP"_s}};
    } else {
        kind = u"tcpSocket"_s;
        handler = {{"port"_L1, spec.port}};
    }
    return {{kind, handler},
            {"initialDelaySeconds"_L1, liveness ? 15 : 5},
            {"periodSeconds"_L1, liveness ? 20 : 10},
            {"timeoutSeconds"_L1, 1},
            {"successThreshold"_L1, 1},
            {"failureThreshold"_L1, 3}};
}

QJsonObject resources(const AppSpec &spec)
{
    if (!spec.cpuRequest)
        return {};
    QJsonObject limits{{"memory"_L1, s(spec.memLimit)}};
    if (spec.cpuLimit)
        limits.insert("cpu"_L1, s(spec.cpuLimit));
    return {{"requests"_L1, QJsonObject{{"cpu"_L1, s(spec.cpuRequest)}, {"memory"_L1, s(spec.memRequest)}}},
            {"limits"_L1, limits}};
}

QJsonObject defaults(QJsonObject container)
{
    container.insert("terminationMessagePath"_L1, u"/dev/termination-log"_s);
    container.insert("terminationMessagePolicy"_L1, u"File"_s);
    container.insert("imagePullPolicy"_L1, u"IfNotPresent"_s);
    return container;
}

QJsonObject coreDnsSpec(const AppSpec &spec)
{
    QJsonObject container{
        {"name"_L1, u"coredns"_s},
        {"image"_L1, s(spec.image)},
        {"args"_L1, QJsonArray{u"-conf"_s, u"/etc/coredns/Corefile"_s}},
        {"ports"_L1,
         QJsonArray{
             QJsonObject{{"name"_L1, u"dns"_s}, {"containerPort"_L1, 53}, {"protocol"_L1, u"UDP"_s}},
             QJsonObject{{"name"_L1, u"dns-tcp"_s}, {"containerPort"_L1, 53}, {"protocol"_L1, u"TCP"_s}},
             QJsonObject{{"name"_L1, u"metrics"_s}, {"containerPort"_L1, 9153}, {"protocol"_L1, u"TCP"_s}}}},
        {"resources"_L1, resources(spec)},
        {"volumeMounts"_L1,
         QJsonArray{QJsonObject{
             {"name"_L1, u"config-volume"_s}, {"readOnly"_L1, true}, {"mountPath"_L1, u"/etc/coredns"_s}}}},
        {"livenessProbe"_L1,
         QJsonObject{{"httpGet"_L1,
                      QJsonObject{{"path"_L1, u"/health"_s}, {"port"_L1, 8080}, {"scheme"_L1, u"HTTP"_s}}},
                     {"initialDelaySeconds"_L1, 60},
                     {"timeoutSeconds"_L1, 5},
                     {"periodSeconds"_L1, 10},
                     {"successThreshold"_L1, 1},
                     {"failureThreshold"_L1, 5}}}};
    return {{"containers"_L1, QJsonArray{defaults(container)}},
            {"volumes"_L1, QJsonArray{QJsonObject{{"name"_L1, u"config-volume"_s},
                                                  {"configMap"_L1, QJsonObject{{"name"_L1, u"coredns"_s},
                                                                               {"defaultMode"_L1, 420}}}}}},
            {"restartPolicy"_L1, u"Always"_s},
            {"terminationGracePeriodSeconds"_L1, 30},
            {"dnsPolicy"_L1, u"Default"_s},
            {"serviceAccountName"_L1, u"coredns"_s},
            {"securityContext"_L1, QJsonObject()},
            {"schedulerName"_L1, u"default-scheduler"_s},
            {"tolerations"_L1,
             QJsonArray{QJsonObject{{"key"_L1, u"CriticalAddonsOnly"_s}, {"operator"_L1, u"Exists"_s}},
                        QJsonObject{{"key"_L1, u"node-role.kubernetes.io/control-plane"_s},
                                    {"effect"_L1, u"NoSchedule"_s}}}},
            {"priorityClassName"_L1, u"system-cluster-critical"_s}};
}

QJsonObject appSpec(const AppInstance &app)
{
    const AppSpec &spec = kApps[app.app];
    const QString portName = appPortName(app.app);
    const bool metricsOnly = portName == "metrics"_L1;
    QJsonObject container{
        {"name"_L1, app.name},
        {"image"_L1, s(spec.image)},
        {"ports"_L1, QJsonArray{QJsonObject{
                         {"name"_L1, portName}, {"containerPort"_L1, spec.port}, {"protocol"_L1, u"TCP"_s}}}},
        {"resources"_L1, resources(spec)}};
    if (!metricsOnly)
        container.insert("readinessProbe"_L1, probe(spec, false));
    if (spec.liveness || metricsOnly)
        container.insert("livenessProbe"_L1, probe(spec, true));
    if (spec.acmeEnv) {
        container.insert("env"_L1,
                         QJsonArray{QJsonObject{{"name"_L1, u"LOG_LEVEL"_s}, {"value"_L1, u"info"_s}}});
    }
    if (!app.secret.isEmpty())
        container.insert("envFrom"_L1,
                         QJsonArray{QJsonObject{{"secretRef"_L1, QJsonObject{{"name"_L1, app.secret}}}}});
    QJsonArray volumes;
    if (!app.configMap.isEmpty()) {
        container.insert("volumeMounts"_L1,
                         QJsonArray{QJsonObject{{"name"_L1, u"config"_s},
                                                {"readOnly"_L1, true},
                                                {"mountPath"_L1, QString(u"/etc/"_s + app.name)}}});
        volumes.append(
            QJsonObject{{"name"_L1, u"config"_s},
                        {"configMap"_L1, QJsonObject{{"name"_L1, app.configMap}, {"defaultMode"_L1, 420}}}});
    }
    QJsonArray containers{defaults(container)};
    QJsonObject podSpec{{"containers"_L1, containers},
                        {"restartPolicy"_L1, u"Always"_s},
                        {"terminationGracePeriodSeconds"_L1, 30},
                        {"dnsPolicy"_L1, u"ClusterFirst"_s},
                        {"securityContext"_L1, QJsonObject()},
                        {"schedulerName"_L1, u"default-scheduler"_s}};
    if (!volumes.isEmpty())
        podSpec.insert("volumes"_L1, volumes);
    if (spec.acmeEnv)
        podSpec.insert("serviceAccountName"_L1, app.name);
    return podSpec;
}

QJsonObject selectorLabels(const AppInstance &app)
{
    return appSelector(app);
}

} // namespace

QJsonObject appSelector(const AppInstance &app)
{
    if (app.app == 0)
        return {{"k8s-app"_L1, u"kube-dns"_s}};
    return {{"app"_L1, app.name}};
}

QString appPortName(int app)
{
    const AppSpec &spec = kApps[app];
    return QLatin1StringView(spec.tier) == "worker"_L1 && spec.port == 9090 ? u"metrics"_s : u"http"_s;
}

int appPort(int app)
{
    return kApps[app].port;
}

int appCatalogSize()
{
    return kAppCount;
}

QString appCatalogName(int app)
{
    return s(kApps[app].name);
}

bool appIsFrontend(int app)
{
    return QLatin1StringView(kApps[app].tier) == "frontend"_L1;
}

QString neighbourRelease(const QString &image, bool newer)
{
    const qsizetype colon = image.lastIndexOf(QLatin1Char(':'));
    if (colon < 0 || colon < image.lastIndexOf(QLatin1Char('/')))
        return {};
    QString tag = image.mid(colon + 1);
    // Version numbers in the tag, last first: bump the last one, or step back from the last non-zero one.
    static const QRegularExpression number(u"\\d+"_s);
    QList<QRegularExpressionMatch> parts;
    for (auto it = number.globalMatch(tag); it.hasNext();)
        parts.prepend(it.next());
    if (parts.isEmpty())
        return {};
    if (newer) {
        tag.replace(parts.first().capturedStart(), parts.first().capturedLength(),
                    QString::number(parts.first().captured().toLongLong() + 1));
        return image.left(colon + 1) + tag;
    }
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const qint64 value = parts[i].captured().toLongLong();
        if (value == 0)
            continue;
        // Later parts (already passed, so to the right) become 9: v1.8.0 -> v1.7.9.
        for (qsizetype j = 0; j < i; ++j)
            tag.replace(parts[j].capturedStart(), parts[j].capturedLength(), u"9"_s);
        tag.replace(parts[i].capturedStart(), parts[i].capturedLength(), QString::number(value - 1));
        return image.left(colon + 1) + tag;
    }
    return {};
}

QJsonObject ownerReference(const QString &apiVersion, const QString &kind, const QString &name,
                           const QString &uid)
{
    return {{"apiVersion"_L1, apiVersion},
            {"kind"_L1, kind},
            {"name"_L1, name},
            {"uid"_L1, uid},
            {"controller"_L1, true},
            {"blockOwnerDeletion"_L1, true}};
}

QJsonObject podTemplateFor(const AppInstance &app)
{
    const QJsonObject labels = selectorLabels(app);
    // Controllers store templates with a null creationTimestamp; kubectl shows it, so keep it.
    return {{"metadata"_L1, QJsonObject{{"creationTimestamp"_L1, QJsonValue::Null}, {"labels"_L1, labels}}},
            {"spec"_L1, app.app == 0 ? coreDnsSpec(kApps[0]) : appSpec(app)}};
}

QJsonObject deploymentFor(const AppInstance &app, int replicas, qint64 createdMs)
{
    QJsonObject labels = selectorLabels(app);
    if (app.app != 0) {
        labels.insert("app.kubernetes.io/name"_L1, s(kApps[app.app].name));
        labels.insert("app.kubernetes.io/part-of"_L1, app.ns);
    }
    const QJsonObject spec{
        {"replicas"_L1, replicas},
        {"selector"_L1, QJsonObject{{"matchLabels"_L1, selectorLabels(app)}}},
        {"template"_L1, podTemplateFor(app)},
        {"strategy"_L1, QJsonObject{{"type"_L1, u"RollingUpdate"_s},
                                    {"rollingUpdate"_L1, QJsonObject{{"maxSurge"_L1, u"25%"_s},
                                                                     {"maxUnavailable"_L1, u"25%"_s}}}}},
        {"revisionHistoryLimit"_L1, 10},
        {"progressDeadlineSeconds"_L1, 600}};
    const QString created = formatTime(createdMs);
    const QJsonObject applied{{"metadata"_L1, QJsonObject{{"labels"_L1, labels}}}, {"spec"_L1, spec}};
    const QJsonArray managed{pods::managedEntry(u"kubectl-client-side-apply"_s, created,
                                                pods::fieldsV1(applied), {}, u"apps/v1"_s)};
    return {{"metadata"_L1,
             QJsonObject{{"name"_L1, app.name},
                         {"namespace"_L1, app.ns},
                         {"labels"_L1, labels},
                         {"annotations"_L1, QJsonObject{{"deployment.kubernetes.io/revision"_L1, u"1"_s}}},
                         {"creationTimestamp"_L1, created},
                         {"managedFields"_L1, managed}}},
            {"spec"_L1, spec}};
}

QJsonObject replicaSetFor(const QJsonObject &deployment, const QString &deploymentUid, const QString &hash,
                          int revision, int replicas, qint64 createdMs)
{
    const QJsonObject dmeta = deployment.value("metadata"_L1).toObject();
    const QJsonObject dspec = deployment.value("spec"_L1).toObject();
    const QString name = dmeta.value("name"_L1).toString() + QLatin1Char('-') + hash;
    const int desired = dspec.value("replicas"_L1).toInt(1);

    QJsonObject podTemplate = dspec.value("template"_L1).toObject();
    QJsonObject templateMeta = podTemplate.value("metadata"_L1).toObject();
    QJsonObject labels = templateMeta.value("labels"_L1).toObject();
    labels.insert("pod-template-hash"_L1, hash);
    templateMeta.insert("labels"_L1, labels);
    podTemplate.insert("metadata"_L1, templateMeta);
    QJsonObject matchLabels = dspec.value("selector"_L1).toObject().value("matchLabels"_L1).toObject();
    matchLabels.insert("pod-template-hash"_L1, hash);

    const QJsonObject spec{{"replicas"_L1, replicas},
                           {"selector"_L1, QJsonObject{{"matchLabels"_L1, matchLabels}}},
                           {"template"_L1, podTemplate}};
    const QJsonObject annotations{
        {"deployment.kubernetes.io/desired-replicas"_L1, QString::number(desired)},
        {"deployment.kubernetes.io/max-replicas"_L1, QString::number(desired + (desired + 3) / 4)},
        {"deployment.kubernetes.io/revision"_L1, QString::number(revision)}};
    const QJsonObject owner =
        ownerReference(u"apps/v1"_s, u"Deployment"_s, dmeta.value("name"_L1).toString(), deploymentUid);
    const QString created = formatTime(createdMs);
    const QJsonObject sent{{"metadata"_L1, QJsonObject{{"annotations"_L1, annotations},
                                                       {"labels"_L1, labels},
                                                       {"ownerReferences"_L1, QJsonArray{owner}}}},
                           {"spec"_L1, spec}};
    return {{"metadata"_L1, QJsonObject{{"name"_L1, name},
                                        {"namespace"_L1, dmeta.value("namespace"_L1)},
                                        {"labels"_L1, labels},
                                        {"annotations"_L1, annotations},
                                        {"ownerReferences"_L1, QJsonArray{owner}},
                                        {"creationTimestamp"_L1, created},
                                        {"managedFields"_L1, QJsonArray{pods::managedEntry(
                                                                 u"kube-controller-manager"_s, created,
                                                                 pods::fieldsV1(sent), {}, u"apps/v1"_s)}}}},
            {"spec"_L1, spec},
            {"status"_L1, replicaSetStatus({}, 1)}};
}

QJsonObject replicaSetStatus(const ReplicaCounts &c, qint64 observedGeneration)
{
    QJsonObject status{{"replicas"_L1, c.replicas}, {"observedGeneration"_L1, observedGeneration}};
    if (c.replicas > 0)
        status.insert("fullyLabeledReplicas"_L1, c.replicas);
    if (c.ready > 0)
        status.insert("readyReplicas"_L1, c.ready);
    if (c.available > 0)
        status.insert("availableReplicas"_L1, c.available);
    return status;
}

QJsonObject deploymentCondition(const QString &type, bool status, const QString &reason,
                                const QString &message, const QString &time)
{
    return {{"type"_L1, type},           {"status"_L1, status ? u"True"_s : u"False"_s},
            {"lastUpdateTime"_L1, time}, {"lastTransitionTime"_L1, time},
            {"reason"_L1, reason},       {"message"_L1, message}};
}

QJsonObject deploymentStatus(const ReplicaCounts &c, qint64 observedGeneration, const QJsonObject &available,
                             const QJsonObject &progressing)
{
    QJsonObject status{{"observedGeneration"_L1, observedGeneration},
                       {"conditions"_L1, QJsonArray{available, progressing}}};
    auto put = [&](QLatin1StringView key, int value) {
        if (value > 0)
            status.insert(key, value);
    };
    put("replicas"_L1, c.replicas);
    put("updatedReplicas"_L1, c.updated);
    put("readyReplicas"_L1, c.ready);
    put("availableReplicas"_L1, c.available);
    put("unavailableReplicas"_L1, c.replicas - c.available);
    return status;
}

} // namespace cw::sim
