package io.qreg.registry.routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The current revision of each (deployment, environment) in memory, so a gateway's conditional
 * poll is answered with no database round trip and no rendering, and the long polls waiting on it.
 *
 * <p>Entries only move forward (a slower reader cannot put back an older revision). They are
 * trusted only while {@link RoutingNotifications} listens to the database: it refreshes an entry
 * when any registry instance commits a new revision, and while it cannot listen every read goes
 * to the database instead.
 */
@Component
class RoutingCache {

    record Key(String deployment, String environment) {
    }

    /** A long poll: the rendering the gateway holds, and where to answer when it changes. */
    record Waiter(String format, String etag, DeferredResult<ResponseEntity<byte[]>> result) {
    }

    private final Map<Key, Revision> current = new ConcurrentHashMap<>();
    private final Map<Key, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    /** Keys xDS subscribers follow: kept fresh across instances like keys with long polls. */
    private final Set<Key> followed = ConcurrentHashMap.newKeySet();
    private volatile Consumer<Revision> follower = revision -> { };
    private volatile boolean trusted;

    Revision get(Key key) {
        return trusted ? current.get(key) : null;
    }

    /** Keeps the revision if it is newer than the one held, and answers the long polls it changes. */
    void offer(Key key, Revision revision) {
        Revision kept = current.merge(key, revision, (old, now) -> now.number() > old.number() ? now : old);
        if (kept == revision) {
            wake(key, revision);
            if (followed.contains(key)) {
                follower.accept(revision);
            }
        }
    }

    long heldRevision(Key key) {
        Revision r = current.get(key);
        return r == null ? 0 : r.number();
    }

    /** Whether this instance holds the entry or has long polls on it: otherwise a later read loads it fresh. */
    boolean tracks(Key key) {
        return current.containsKey(key) || waiters.containsKey(key) || followed.contains(key);
    }

    /** Sends every newer revision of this key to the follower (the xDS endpoint) from now on. */
    void follow(Key key) {
        followed.add(key);
    }

    void setFollower(Consumer<Revision> follower) {
        this.follower = follower;
    }

    void await(Key key, Waiter waiter) {
        waiters.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    }

    void forget(Key key, Waiter waiter) {
        waiters.computeIfPresent(key, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    Set<Key> keysKeptFresh() {
        Set<Key> keys = new java.util.HashSet<>(waiters.keySet());
        keys.addAll(followed);
        return keys;
    }

    /** Answers every waiting long poll with 304 now, so a shutting-down instance is not held up by them. */
    void releaseWaiters() {
        waiters.values().forEach(set -> set.forEach(w -> w.result().setResult(RoutingController.notModified(w.etag()))));
    }

    /** Listening again after a gap: anything held may have missed a notification. */
    void trust() {
        current.clear();
        trusted = true;
    }

    void distrust() {
        trusted = false;
        current.clear();
    }

    private void wake(Key key, Revision revision) {
        Set<Waiter> waiting = waiters.get(key);
        if (waiting == null) {
            return;
        }
        Function<String, Rendered> rendering = revision::rendered;
        for (Waiter w : waiting) {
            Rendered now = rendering.apply(w.format());
            if (!now.etag().equals(w.etag())) {
                w.result().setResult(RoutingController.ok(now));
            }
        }
    }
}
