// SPDX-License-Identifier: Apache-2.0
// The decoder tests' pod: what an API server sends for a pod, managedFields included.
#pragma once

#include <QByteArray>
#include <QString>

namespace cw::test {

// A watch line: {"type":…,"object":…}.
inline QByteArray line(const char *type, const QByteArray &object)
{
    return QByteArray(R"({"type":")") + type + R"(","object":)" + object + '}';
}

inline QByteArray hex(int seed, int length)
{
    QByteArray out;
    for (int i = 0; i < length; ++i)
        out += "0123456789abcdef"[(seed * 7 + i * 13) % 16];
    return out;
}

// A pod as the API server sends it, managedFields included, padded so that the whole ADDED line is
// `lineSize`.
inline QByteArray podObject(int i, int lineSize = 4096)
{
    const QByteArray n = QByteArray::number(i);
    const QByteArray uid =
        hex(i, 8) + '-' + hex(i + 1, 4) + '-' + hex(i + 2, 4) + '-' + hex(i + 3, 4) + '-' + hex(i + 4, 12);
    const QByteArray time = "\"2026-05-01T10:00:00Z\"";
    QByteArray pod =
        R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-)" + n +
        R"(","generateName":"web-","namespace":"demo","uid":")" + uid + R"(","resourceVersion":")" +
        QByteArray::number(100000 + i) + R"(","creationTimestamp":)" + time +
        R"(,"labels":{"app":"web","pod-template-hash":"7d4b9c8f6d","tier":"frontend"},)"
        R"("annotations":{"kubectl.kubernetes.io/restartedAt":)" +
        time +
        R"(,"note":"@PAD@"},)"
        R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c8f6d","uid":")" +
        uid +
        R"(","controller":true,"blockOwnerDeletion":true}],)"
        R"("managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":)" +
        time +
        R"(,"fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},)"
        R"("f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{~uid~:~)" +
        uid +
        R"(~}":{}}},"f:spec":{"f:containers":{"k:{~name~:~web~}":{".":{},"f:image":{},"f:imagePullPolicy":{},)"
        R"("f:name":{},"f:ports":{".":{},"k:{~containerPort~:8080,~protocol~:~TCP~}":{".":{},"f:containerPort":{},)"
        R"("f:protocol":{}}},"f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},)"
        R"("f:cpu":{},"f:memory":{}}}}},"f:dnsPolicy":{},"f:restartPolicy":{}}}},{"manager":"kubelet","operation":"Update",)"
        R"("apiVersion":"v1","time":)" +
        time +
        R"(,"fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{"k:{~type~:~Ready~}":{".":{},)"
        R"("f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},)"
        R"("f:hostIP":{},"f:phase":{},"f:podIP":{},"f:startTime":{}}},"subresource":"status"}]},)"
        R"("spec":{"containers":[{"name":"web","image":"registry.example.com/web:1.2.3","ports":[{"containerPort":8080,)"
        R"("protocol":"TCP"}],"env":[{"name":"MODE","value":"production"},{"name":"POD_NAME","valueFrom":{"fieldRef":)"
        R"({"apiVersion":"v1","fieldPath":"metadata.name"}}}],"resources":{"limits":{"cpu":"500m","memory":"256Mi"},)"
        R"("requests":{"cpu":"100m","memory":"128Mi"}},"volumeMounts":[{"name":"kube-api-access-abcde","mountPath":)"
        R"("/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}],"terminationMessagePath":"/dev/termination-log",)"
        R"("terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","readinessProbe":{"httpGet":{"path":"/healthz",)"
        R"("port":8080,"scheme":"HTTP"},"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3}}],)"
        R"("restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default",)"
        R"("nodeName":"node-3","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":)"
        R"("node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":)"
        R"("node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,)"
        R"("enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running","conditions":[)"
        R"({"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":)" +
        time + R"(},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":)" + time +
        R"(},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":)" + time +
        R"(},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":)" + time +
        R"(}],"hostIP":"10.0.0.13","podIP":"10.1.3.77","podIPs":[{"ip":"10.1.3.77"}],"startTime":)" + time +
        R"(,"containerStatuses":[{"name":"web","state":{"running":{"startedAt":)" + time +
        R"(}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example.com/web:1.2.3","imageID":)"
        R"("registry.example.com/web@sha256:)" +
        hex(i, 64) + R"(","containerID":"containerd://)" + hex(i + 9, 64) +
        R"(","started":true}],"qosClass":"Burstable"}})";
    const qsizetype envelope = qsizetype(sizeof(R"({"type":"ADDED","object":})") - 1);
    const qsizetype escapes = pod.count('~');
    const qsizetype pad = qMax<qsizetype>(0, lineSize - envelope - (pod.size() + escapes - 5));
    // '~' stands for an escaped quote inside managedFields keys (moc misreads \" inside raw string literals).
    pod.replace('~', QByteArrayView("\\\""));
    return pod.replace("@PAD@", QByteArray(pad, 'p'));
}

} // namespace cw::test
