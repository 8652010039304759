package io.qreg.registry.support;

import java.util.ArrayList;
import java.util.List;

/**
 * An aggregate that announces what happens to it, as in Restbucks: its transition methods decide which
 * domain events happen and register them here; the service publishes them through
 * {@link DomainEventPublisher} once the aggregate is written and audited, inside the same transaction,
 * and that clears them. (Spring Data's {@code @DomainEvents} would do the publishing on {@code save}, but
 * the stores are plain JDBC, and listeners that audit rely on the events following the aggregate's audit record.)
 */
public abstract class AggregateRoot {

    private final List<Object> pending = new ArrayList<>();

    /** Records that {@code event} happened; it is published, in registration order, with the write. */
    protected final void registerEvent(Object event) {
        pending.add(event);
    }

    /** The events registered and not yet published, oldest first. */
    public final List<Object> pendingEvents() {
        return List.copyOf(pending);
    }

    /** Takes the pending events of one type (all of them for {@code Object.class}), leaving the rest pending. */
    final <T> List<T> takeEvents(Class<T> type) {
        List<T> taken = new ArrayList<>();
        pending.removeIf(event -> {
            if (!type.isInstance(event)) {
                return false;
            }
            taken.add(type.cast(event));
            return true;
        });
        return taken;
    }
}
