package io.qreg.registry.job;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.qreg.registry.variant.EvidenceRecorded;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Test-only: keeps the evidence events the application published, for tests that check them. */
@Component
public class RecordedEvidence {

    private static final List<EvidenceRecorded> EVENTS = new CopyOnWriteArrayList<>();

    @EventListener
    void on(EvidenceRecorded event) {
        EVENTS.add(event);
    }

    public static List<EvidenceRecorded> ofResult(UUID resultId) {
        return EVENTS.stream().filter(e -> e.resultId().equals(resultId)).toList();
    }
}
