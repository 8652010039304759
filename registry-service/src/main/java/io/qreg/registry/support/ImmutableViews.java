package io.qreg.registry.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Views of rows that never change once written (checkpoints, recipe and dataset versions), kept
 * after the first read: the job queue resolves them on every claim. Bounded by dropping everything
 * when full, which costs only re-reads. Only found values are kept, so a row created on another
 * instance is visible at once.
 */
public final class ImmutableViews<K, V> {

    private static final int MAX_ENTRIES = 10_000;

    private final Map<K, V> views = new ConcurrentHashMap<>();

    public V get(K key, Function<K, V> load) {
        V view = views.get(key);
        if (view != null) {
            return view;
        }
        view = load.apply(key);
        if (views.size() >= MAX_ENTRIES) {
            views.clear();
        }
        views.put(key, view);
        return view;
    }
}
