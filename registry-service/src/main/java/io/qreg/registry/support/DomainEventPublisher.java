package io.qreg.registry.support;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Publishes the events an {@link AggregateRoot} registered, through Spring's event bus, in the caller's
 * transaction (so plain listeners, such as the webhook outbox and the routing config, write with it),
 * and clears them so that each is published once.
 */
@Component
@RequiredArgsConstructor
public class DomainEventPublisher {

    private final ApplicationEventPublisher events;

    /** Every pending event of the aggregate, in the order its transitions registered them. */
    public void publish(AggregateRoot aggregate) {
        publish(aggregate, Object.class);
    }

    /**
     * Only the pending events of one type, for a flow that audits between two events of one transition
     * (a rollout that starts and completes at once); the others stay pending.
     */
    public void publish(AggregateRoot aggregate, Class<?> type) {
        aggregate.takeEvents(type).forEach(events::publishEvent);
    }
}
