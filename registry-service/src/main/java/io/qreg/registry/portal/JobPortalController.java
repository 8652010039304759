package io.qreg.registry.portal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.job.JobService;
import io.qreg.registry.job.JobView;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalPage;

import org.springframework.http.MediaType;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

import lombok.RequiredArgsConstructor;

/**
 * Jobs: the filterable list, a job's page with its history, live progress as server-sent events,
 * and cancel (ENGINEER, by the security rules on the POST route). Pages show the state at the time
 * they were read; scripts only enhance them with the events.
 */
@PortalPage
@RequiredArgsConstructor
class JobPortalController {

    private final JobPages pages;
    private final JobService jobs;
    private final JobProgressStream stream;
    private final PortalRoles roles;

    @GetMapping("/jobs")
    String list(@RequestParam(required = false) String status, @RequestParam(required = false) String type,
            @RequestParam(required = false) String model, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size, Model view) {
        String modelName = model == null || model.isBlank() ? null : model.strip();
        var found = pages.search(status, type, modelName, page, size);
        String statusFilter = normalized(status);
        String typeFilter = normalized(type);
        view.addAttribute("jobs", found);
        view.addAttribute("status", statusFilter);
        view.addAttribute("type", typeFilter);
        view.addAttribute("model", modelName);
        view.addAttribute("modelNames", pages.modelNames());
        // Pages keep the filters; filters not in use stay out of the links.
        view.addAttribute("listBase", UriComponentsBuilder.fromPath("/jobs").queryParam("size", found.getSize())
                .queryParamIfPresent("status", Optional.ofNullable(statusFilter))
                .queryParamIfPresent("type", Optional.ofNullable(typeFilter))
                .queryParamIfPresent("model", Optional.ofNullable(modelName))
                .build().encode().toUriString());
        return "jobs/list";
    }

    /** The filter as the selects' values spell it, or null for none. */
    private static String normalized(String filter) {
        return filter == null || filter.isBlank() ? null : filter.trim().toUpperCase(Locale.ROOT);
    }

    @GetMapping("/jobs/{id}")
    String job(@PathVariable UUID id, Model view) {
        view.addAttribute("page", pages.page(id, roles.engineer()));
        return "jobs/detail";
    }

    /** One job's changes: an event named "job" with its status, progress and message at each change. */
    @GetMapping(path = "/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    SseEmitter events(@PathVariable UUID id) {
        jobs.get(id); // 404 for an unknown job, before the stream starts
        return stream.subscribe(List.of(id));
    }

    /** Several jobs' changes in one stream (the list and dashboard rows that are still live). */
    @GetMapping(path = "/jobs/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ResponseBody
    SseEmitter events(@RequestParam(name = "id") List<UUID> ids) {
        if (ids.isEmpty() || ids.size() > JobProgressStream.MAX_JOBS) {
            throw ApiException.invalid("id", "watch between 1 and " + JobProgressStream.MAX_JOBS + " jobs");
        }
        return stream.subscribe(ids);
    }

    @PostMapping("/jobs/{id}/cancel")
    String cancel(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            JobView job = jobs.cancel(id);
            redirect.addFlashAttribute("notice", "CANCELLED".equals(job.status()) ? "The job was cancelled."
                    : "Cancel requested: the worker stops the job at its next heartbeat.");
        } catch (ApiException e) {
            if (e.status().value() == 404) {
                throw e;
            }
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/jobs/" + id;
    }
}
