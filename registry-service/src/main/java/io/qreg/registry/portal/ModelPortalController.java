package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.artifact.Downloads;
import io.qreg.registry.artifact.ReceivedForm;
import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.artifact.UploadReceiver;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.job.JobRequest;
import io.qreg.registry.job.JobSubmission;
import io.qreg.registry.job.JobView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalPage;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

import lombok.RequiredArgsConstructor;

/**
 * The model pages: the searchable list, a model with its checkpoints and every variant, the
 * side-by-side comparison of two variants, and the engineer's forms (upload a checkpoint, start a
 * quantization). The forms' POST routes need ENGINEER in the security rules; a refused form value
 * is shown on the model page next to the form, with what was typed kept.
 */
@PortalPage
@RequiredArgsConstructor
class ModelPortalController {

    private static final Set<String> UPLOAD_FIELDS = Set.of("version", "license", "redistribution", "sourceUri");

    private final ModelPages pages;
    private final ModelService models;
    private final CheckpointService checkpoints;
    private final JobSubmission jobs;
    private final UploadReceiver uploads;
    private final PortalRoles roles;
    private final LifecyclePages lifecycle;

    /** The list, searched by name or description and filtered by a tag ({@code key:value}); archived ones on request. */
    @GetMapping("/models")
    String models(@RequestParam(required = false) String q, @RequestParam(required = false) String tag,
            @RequestParam(required = false) String archived, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size, Model view) {
        boolean listsArchived = Archival.listsArchived(archived);
        Page<ModelSummary> found = pages.search(q, TagFilter.parse(tag), listsArchived, page, size);
        view.addAttribute("models", found);
        view.addAttribute("q", q);
        view.addAttribute("tag", tag);
        view.addAttribute("archived", listsArchived);
        view.addAttribute("tagsInUse", pages.modelTagsInUse());
        view.addAttribute("maxJudged", ModelListFacts.MAX_JUDGED);
        // Pages keep the search; parameters left blank stay out of the links.
        view.addAttribute("listBase", UriComponentsBuilder.fromPath("/models").queryParam("size", found.getSize())
                .queryParamIfPresent("q", blankToEmpty(q)).queryParamIfPresent("tag", blankToEmpty(tag))
                .queryParamIfPresent("archived", java.util.Optional.ofNullable(listsArchived ? "true" : null))
                .build().encode().toUriString());
        return "models/list";
    }

    private static java.util.Optional<String> blankToEmpty(String value) {
        return value == null || value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(value.strip());
    }

    @GetMapping("/models/{name}")
    String model(@PathVariable String name, Model view) {
        return modelPage(name, view);
    }

    private String modelPage(String name, Model view) {
        ModelPages.ModelPage page = pages.modelPage(name);
        view.addAttribute("page", page);
        view.addAttribute("model", page.model());
        view.addAttribute("checkpoints", page.checkpoints());
        view.addAttribute("lifecycle", lifecycle.ofModel(name));
        boolean engineer = roles.engineer();
        view.addAttribute("engineer", engineer);
        if (engineer) {
            view.addAttribute("jobForm", pages.jobForm(page.checkpoints()));
        }
        return "models/detail";
    }

    /**
     * Multipart, so the CSRF token comes in the query string (the form's action carries it): the
     * security filter cannot read a token out of a streamed multipart body, and buffering the body
     * to find it would defeat streaming gigabyte checkpoints.
     */
    @PostMapping(path = "/models/{name}/checkpoints", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    String upload(@PathVariable String name, HttpServletRequest request, HttpServletResponse response, Model view,
            RedirectAttributes redirect) {
        models.get(name); // an unknown model fails before a single byte is spooled
        ReceivedForm form = uploads.receiveForm(request, UPLOAD_FIELDS);
        try {
            if (form.file() == null) {
                throw ApiException.invalid("file", "choose the checkpoint's ONNX file to upload");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("version", form.field("version"));
            metadata.put("license", form.field("license"));
            metadata.put("redistribution", form.field("redistribution"));
            metadata.put("sourceUri", form.field("sourceUri"));
            CheckpointView created = checkpoints.register(name, new ReceivedUpload(CanonicalJson.write(metadata),
                    form.file()));
            redirect.addFlashAttribute("notice", "Checkpoint " + created.version() + " uploaded ("
                    + created.sizeHuman() + ", sha256 " + created.sha256().substring(0, 12) + "…).");
            return "redirect:/models/" + name + "#checkpoints";
        } catch (ApiException e) {
            if (form.file() != null) {
                form.file().discard();
            }
            response.setStatus(e.status().value());
            view.addAttribute("uploadError", e.getMessage());
            view.addAttribute("uploadValues", form.fields());
            return modelPage(name, view);
        }
    }

    /** Starts a QUANTIZE job (with any follow-ups chosen) and shows its page, where progress is live. */
    @PostMapping("/models/{name}/quantize")
    String quantize(@PathVariable String name, @RequestParam(required = false) String checkpointId,
            @RequestParam(required = false) String recipe, @RequestParam(required = false) String method,
            @RequestParam(required = false) String calibration, @RequestParam(required = false) String evaluation,
            @RequestParam(defaultValue = "false") boolean benchmark,
            @RequestParam(required = false) String hardwareTarget, HttpServletResponse response, Model view) {
        models.get(name);
        try {
            CheckpointView checkpoint = checkpoint(name, checkpointId);
            RecipeView chosen = pages.recipeFor(name, blank(recipe), blank(method));
            String target = blank(hardwareTarget);
            List<JobRequest.FollowUp> followUps = new ArrayList<>();
            if (blank(evaluation) != null) {
                ModelPages.Versioned d = ModelPages.versioned(evaluation, "evaluation");
                followUps.add(new JobRequest.FollowUp("EVALUATE", new JobRequest.Versioned(d.name(), d.version()),
                        target));
            }
            if (benchmark) {
                followUps.add(new JobRequest.FollowUp("BENCHMARK", null, target));
            }
            JobRequest.Versioned calibrationDataset = null;
            if (blank(calibration) != null) {
                ModelPages.Versioned d = ModelPages.versioned(calibration, "calibration");
                calibrationDataset = new JobRequest.Versioned(d.name(), d.version());
            }
            JobView job = jobs.submit(new JobRequest("QUANTIZE", checkpoint.id(),
                    new JobRequest.Versioned(chosen.name(), chosen.version()), calibrationDataset, null, null, target,
                    followUps, null));
            return "redirect:/jobs/" + job.id();
        } catch (ApiException e) {
            response.setStatus(e.status().value());
            view.addAttribute("quantizeError", e.getMessage());
            view.addAttribute("quantizeValues", Map.of("checkpointId", nonNull(checkpointId),
                    "recipe", nonNull(recipe), "method", nonNull(method), "calibration", nonNull(calibration),
                    "evaluation", nonNull(evaluation), "benchmark", String.valueOf(benchmark),
                    "hardwareTarget", nonNull(hardwareTarget)));
            return modelPage(name, view);
        }
    }

    private CheckpointView checkpoint(String model, String id) {
        if (blank(id) == null) {
            throw ApiException.invalid("checkpointId", "choose the checkpoint to quantize");
        }
        CheckpointView checkpoint;
        try {
            checkpoint = checkpoints.get(UUID.fromString(id.trim()));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("checkpointId", "'" + id + "' is not a checkpoint id");
        }
        if (!checkpoint.modelName().equals(model)) {
            throw ApiException.invalid("checkpointId", "checkpoint " + id + " belongs to model "
                    + checkpoint.modelName() + ", not " + model);
        }
        return checkpoint;
    }

    /**
     * Two variants side by side. The model page's checkboxes send {@code v} twice (a GET form needs
     * no JavaScript); that is turned into the page's own address, {@code ?a=&b=}, so it can be shared.
     */
    @GetMapping("/models/{name}/compare")
    String compare(@PathVariable String name, @RequestParam(required = false) UUID a,
            @RequestParam(required = false) UUID b, @RequestParam(name = "v", required = false) List<UUID> chosen,
            HttpServletResponse response, Model view) {
        if (a == null && b == null && chosen != null && chosen.size() == 2) {
            return "redirect:" + UriComponentsBuilder.fromPath("/models/{name}/compare")
                    .queryParam("a", chosen.get(0)).queryParam("b", chosen.get(1)).buildAndExpand(name).toUriString();
        }
        if (a == null || b == null || a.equals(b)) {
            models.get(name);
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            view.addAttribute("modelName", name);
            view.addAttribute("chooseError", "Choose exactly two different variants to compare"
                    + (chosen == null ? "." : "; " + chosen.size() + " were chosen."));
            return "models/compare";
        }
        view.addAttribute("modelName", name);
        view.addAttribute("comparison", pages.compare(name, a, b));
        return "models/compare";
    }

    /** The checkpoint's bytes under the portal session (the API's download needs a token). */
    @GetMapping("/checkpoints/{id}/download")
    ResponseEntity<Resource> download(@PathVariable UUID id, HttpServletRequest request) {
        CheckpointService.Content content = checkpoints.content(id);
        return Downloads.of(content.resource(), content.sha256(), content.filename(), request);
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
