package io.qreg.registry.web;

import org.springframework.boot.task.ThreadPoolTaskSchedulerCustomizer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.TaskUtils;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * The background ticks (lease sweeps, canary analysis, webhook polls) fail every second while the database
 * is down; each would log a stack trace. A connection failure goes to {@link DatabaseOutage}, which logs
 * the outage once; any other failure is logged in full as before.
 */
@Component
@RequiredArgsConstructor
class ScheduledTaskErrors implements ThreadPoolTaskSchedulerCustomizer {

    private final DatabaseOutage outage;

    @Override
    public void customize(ThreadPoolTaskScheduler scheduler) {
        scheduler.setErrorHandler(failure -> {
            if (DatabaseOutage.isConnectionFailure(failure)) {
                outage.noteFailure(failure);
            } else {
                TaskUtils.LOG_AND_SUPPRESS_ERROR_HANDLER.handleError(failure);
            }
        });
    }
}
