package io.qreg.registry.rollout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Test-only: keeps the rollout events the application published, for tests that check them. */
@Component
public class RecordedRolloutEvents {

    private static final List<RolloutEvent> EVENTS = new CopyOnWriteArrayList<>();

    @EventListener
    void on(RolloutEvent event) {
        EVENTS.add(event);
    }

    public static List<RolloutEvent> of(String rolloutId) {
        return EVENTS.stream().filter(e -> e.rolloutId().toString().equals(rolloutId)).toList();
    }
}
