#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Debian python3-kubernetes client against the ClusterWatch sim; prints JSON lines for the test to check."""
import json
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def emit(**fields):
    print(json.dumps(fields), flush=True)


def paginate(v1, page_size):
    names, rvs, pages, token = [], set(), 0, None
    while True:
        resp = v1.list_pod_for_all_namespaces(limit=page_size, _continue=token)
        pages += 1
        rvs.add(resp.metadata.resource_version)
        names.extend(f"{p.metadata.namespace}/{p.metadata.name}" for p in resp.items)
        token = resp.metadata._continue
        if not token:
            break
    emit(pages=pages, count=len(names), unique=len(set(names)), resource_versions=len(rvs))


def stream(v1, seconds, expected_initial):
    """Watch from "" (state replay, then changes); says when the replay of `expected_initial` pods is in,
    and ends at the first MODIFIED after it (or after `seconds`: replaying is slow in Python)."""
    counts = {}
    replayed = False
    w = watch.Watch()
    for event in w.stream(v1.list_pod_for_all_namespaces, timeout_seconds=seconds):
        counts[event["type"]] = counts.get(event["type"], 0) + 1
        if counts.get("ADDED") == expected_initial and len(counts) == 1:
            emit(initial=expected_initial)
            replayed = True
        elif replayed and event["type"] == "MODIFIED":
            w.stop()
            break
    emit(events=counts)


def informer(v1, namespace, stop_name, deadline_seconds):
    """List, then watch from the list RV; on 410 relist, the way an informer recovers."""
    store, relists = {}, 0
    deadline = time.time() + deadline_seconds

    def relist():
        resp = v1.list_namespaced_config_map(namespace)
        store.clear()
        for item in resp.items:
            store[item.metadata.name] = item.metadata.resource_version
        return resp.metadata.resource_version

    rv = relist()
    while time.time() < deadline:
        emit(watching=rv)
        try:
            for event in watch.Watch().stream(v1.list_namespaced_config_map, namespace,
                                               resource_version=rv, timeout_seconds=5):
                obj = event["object"]
                rv = obj.metadata.resource_version
                if event["type"] == "DELETED":
                    store.pop(obj.metadata.name, None)
                else:
                    store[obj.metadata.name] = rv
                emit(event=event["type"], name=obj.metadata.name)
                if obj.metadata.name == stop_name:
                    emit(relists=relists, store=store)
                    return
        except ApiException as e:
            if e.status != 410:
                raise
            relists += 1
            emit(expired=True)
            rv = relist()
    emit(relists=relists, store=store, timed_out=True)


def main():
    mode, kubeconfig = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    if mode == "paginate":
        paginate(v1, int(sys.argv[3]))
    elif mode == "stream":
        stream(v1, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "informer":
        informer(v1, sys.argv[3], sys.argv[4], float(sys.argv[5]))


if __name__ == "__main__":
    main()
