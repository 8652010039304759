package io.qreg.registry.demo;

import static io.qreg.registry.demo.DemoPeople.as;

import io.qreg.engine.quant.Method;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.artifact.ArtifactService;
import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.job.JobRequest;
import io.qreg.registry.job.JobService;
import io.qreg.registry.job.JobSubmission;
import io.qreg.registry.job.JobView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.recipe.RecipeRequest;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.security.Role;
import io.qreg.registry.security.UserService;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.web.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Seeds a registry for a first look ({@code QREG_DEMO=true}): demo people, the example models, their
 * datasets and recipes, QUANTIZE jobs with EVALUATE and BENCHMARK follow-ups, approval requests once
 * their variants have evidence, and a reproduction of the first variant ({@link DemoReproduction}). It runs on
 * its own thread after startup, so the registry answers (and its worker claims) while it works.
 *
 * <p>Idempotent: each step looks for what an earlier start made (an account, a model, a checkpoint
 * version, a QUANTIZE job of that checkpoint and recipe, an approval for that variant and target)
 * and makes only what is missing, so starting again with {@code QREG_DEMO=true} adds nothing.
 */
@Component
public class DemoData {

    /** A demo account, its password (documented in the README and printed at startup) and its role. */
    public record Persona(String username, String password, Role role) {
    }

    public static final Persona ENGINEER = new Persona("demo-engineer", "demo-engineer-pass", Role.ENGINEER);
    public static final Persona APPROVER = new Persona("demo-approver", "demo-approver-pass", Role.APPROVER);
    public static final Persona RISK_OFFICER = new Persona("demo-risk-officer", "demo-risk-officer-pass",
            Role.RISK_OFFICER);
    public static final Persona VIEWER = new Persona("demo-viewer", "demo-viewer-pass", Role.VIEWER);
    static final List<Persona> PEOPLE = List.of(ENGINEER, APPROVER, RISK_OFFICER, VIEWER);

    /** Who the audit log names for what no demo person would do (accounts, shared recipes and datasets). */
    static final String SEEDER = "demo-seeder";

    public static final String DIGITS = "digits-mlp";
    public static final String BYTELM = "bytelm-small";
    public static final String DEPLOYMENT = "digits-classifier";

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);
    private static final String VERSION = "1.0.0";
    private static final Duration WAVE_TIMEOUT = Duration.ofMinutes(10);

    /** An example model shipped under classpath:demo/ and the data to calibrate and evaluate it with. */
    record Example(String model, String task, String riskTier, String description, String onnx, String input,
            String calibration, String evaluationInputs, String evaluationLabels) {
    }

    static final Example DIGITS_MLP = new Example(DIGITS, "classification", "standard",
            "MLP 64-256-256-10 on scikit-learn's 8x8 digits (pixels / 16). FP32 accuracy 0.978.",
            "digits_mlp.onnx", "input", "digits_calib_x.npy", "digits_eval_x.npy", "digits_eval_y.npy");
    static final Example BYTELM_SMALL = new Example(BYTELM, "language-model", "high",
            "Byte-level causal transformer (2 blocks, d=128) trained on Python source. FP32 perplexity 6.12.",
            "bytelm_small.onnx", "input_ids", "bytelm_small_calib_ids.npy", "bytelm_small_eval_ids.npy",
            "bytelm_small_eval_labels.npy");

    static final DemoRecipe INT8_DYNAMIC = new DemoRecipe(Method.INT8_DYNAMIC, null, null);
    static final DemoRecipe FP16 = new DemoRecipe(Method.FP16, null, null);
    static final DemoRecipe INT4_WEIGHT = new DemoRecipe(Method.INT4_WEIGHT, 32, null);
    static final DemoRecipe INT8_STATIC = new DemoRecipe(Method.INT8_STATIC, null, "minmax");
    static final DemoRecipe INT4_WEIGHT_GPTQ = new DemoRecipe(Method.INT4_WEIGHT, 32, null, "gptq");

    /** One QUANTIZE job of an example with a recipe. */
    record Quantization(Example example, DemoRecipe recipe) {
    }

    /**
     * First the digits MLP, whose jobs take seconds, so the first approval appears soon; then the
     * language model and the static recipe, which calibrates.
     */
    static final List<Quantization> FIRST_WAVE = List.of(new Quantization(DIGITS_MLP, INT8_DYNAMIC),
            new Quantization(DIGITS_MLP, FP16), new Quantization(DIGITS_MLP, INT4_WEIGHT));
    static final List<Quantization> SECOND_WAVE = List.of(new Quantization(BYTELM_SMALL, INT8_DYNAMIC),
            new Quantization(BYTELM_SMALL, INT4_WEIGHT), new Quantization(DIGITS_MLP, INT8_STATIC),
            new Quantization(BYTELM_SMALL, INT4_WEIGHT_GPTQ));

    /** An approval the demo opens: the variant of a quantization, a target, and whether the demo approver signs it. */
    record DemoApproval(Quantization of, String environment, String tier, boolean approve) {
    }

    static final List<DemoApproval> APPROVALS = List.of(
            // Waits in demo-approver's inbox: one APPROVER signs a standard-risk int8 variant.
            new DemoApproval(FIRST_WAVE.get(0), "production", "default", false),
            // Already APPROVED, and rolled out to staging's default tier: a canary at 5%.
            new DemoApproval(FIRST_WAVE.get(1), "staging", "default", true),
            // 4-bit weights: an APPROVER and a RISK_OFFICER must both sign. (Not the edge tier: the demo
            // checkpoint is internal-only, so no request for it there would be accepted.)
            new DemoApproval(FIRST_WAVE.get(2), "production", "premium", false));

    /** What a seeding found or made: the QUANTIZE jobs per quantization and the approvals opened. */
    public record Seeded(Map<String, UUID> quantizeJobs, List<UUID> approvals) {
    }

    /** What {@link #register()} found or made, to submit jobs against. */
    record Registered(Map<String, UUID> checkpoints, Map<String, DatasetView> calibration,
            Map<String, DatasetView> evaluation, Map<String, RecipeView> recipes) {
    }

    private final boolean enabled;
    private final long maxUploadBytes;
    private final UserService users;
    private final ModelService models;
    private final CheckpointService checkpoints;
    private final DatasetService datasets;
    private final RecipeService recipes;
    private final JobService jobs;
    private final JobSubmission submission;
    private final ApprovalService approvals;
    private final ArtifactService artifacts;
    private final DemoDeployment deployment;
    private final DemoReproduction reproduction;
    private volatile Thread seeding;

    DemoData(@Value("${qreg.demo:false}") boolean enabled, @Value("${qreg.upload.max-bytes}") long maxUploadBytes,
            UserService users, ModelService models, CheckpointService checkpoints, DatasetService datasets,
            RecipeService recipes, JobService jobs, JobSubmission submission, ApprovalService approvals,
            ArtifactService artifacts, DemoDeployment deployment, DemoReproduction reproduction) {
        this.enabled = enabled;
        this.maxUploadBytes = maxUploadBytes;
        this.users = users;
        this.models = models;
        this.checkpoints = checkpoints;
        this.datasets = datasets;
        this.recipes = recipes;
        this.jobs = jobs;
        this.submission = submission;
        this.approvals = approvals;
        this.artifacts = artifacts;
        this.deployment = deployment;
        this.reproduction = reproduction;
    }

    /** After startup (the embedded worker starts on the same event), on a thread of its own: startup is not delayed. */
    @EventListener
    void onReady(ApplicationReadyEvent ready) {
        if (!enabled) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                seed();
            } catch (RuntimeException e) {
                DemoSummary.seedingStopped(e);
            }
        }, "qreg-demo");
        thread.setDaemon(true);
        seeding = thread;
        thread.start();
    }

    @EventListener
    void onClose(ContextClosedEvent closed) {
        Thread thread = seeding;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Everything, in order, waiting for each wave's jobs; returns what exists afterwards. */
    public synchronized Seeded seed() {
        Instant started = Instant.now();
        log.info("demo data (QREG_DEMO=true): seeding; people to sign in as: {}", PEOPLE.stream()
                .map(p -> p.username() + " / " + p.password() + " (" + p.role() + ")").toList());
        Registered registered = register();
        Map<String, UUID> submitted = new LinkedHashMap<>(submit(registered, FIRST_WAVE));
        List<UUID> firstWave = new ArrayList<>(submitted.values());
        // The FP32 checkpoint serves too, so it needs evidence of its own before it can be approved.
        firstWave.add(deployment.evaluateCheckpoint(registered.checkpoints().get(DIGITS),
                registered.evaluation().get(DIGITS)));
        awaitWave(firstWave);
        List<UUID> opened = openApprovals(submitted, APPROVALS);
        deployment.serveSandbox(registered.checkpoints().get(DIGITS));
        Map<String, UUID> second = submit(registered, SECOND_WAVE);
        submitted.putAll(second);
        awaitWave(second.values());
        reproduction.ensure(jobs.get(submitted.get(key(FIRST_WAVE.get(0)))).variantId());
        log.info("demo data: ready after {} s: {}", Duration.between(started, Instant.now()).toSeconds(),
                DemoSummary.describe(approvals, submitted.size(), opened));
        return new Seeded(submitted, opened);
    }

    // ---------------------------------------------------------------- registration

    /** People, models, checkpoints, datasets and recipes; each made only if missing. */
    Registered register() {
        as(SEEDER, Set.of(Role.ADMIN), () -> {
            for (Persona p : PEOPLE) {
                try {
                    users.create(new UserService.NewUser(p.username(), p.password(), List.of(p.role().name())));
                    log.info("demo data: created {} ({}) with password {}", p.username(), p.role(), p.password());
                } catch (ApiException e) {
                    if (e.status() != HttpStatus.CONFLICT) {
                        throw e;
                    }
                }
            }
            return null;
        });
        Map<String, UUID> checkpointIds = new LinkedHashMap<>();
        Map<String, DatasetView> calibration = new LinkedHashMap<>();
        Map<String, DatasetView> evaluation = new LinkedHashMap<>();
        for (Example example : List.of(DIGITS_MLP, BYTELM_SMALL)) {
            checkpointIds.put(example.model(), as(ENGINEER, () -> modelWithCheckpoint(example)));
            calibration.put(example.model(), as(SEEDER, Set.of(Role.ENGINEER), () -> dataset(example.model()
                    + "-calibration", "calibration", "calibration samples for " + example.model(),
                    Map.of(example.input() + ".npy", example.calibration()))));
            evaluation.put(example.model(), as(SEEDER, Set.of(Role.ENGINEER), () -> dataset(example.model()
                    + "-evaluation", "evaluation", "held-out samples and labels for " + example.model(),
                    Map.of(example.input() + ".npy", example.evaluationInputs(), "labels.npy",
                            example.evaluationLabels()))));
        }
        Map<String, RecipeView> recipeViews = new LinkedHashMap<>();
        for (DemoRecipe r : List.of(INT8_DYNAMIC, FP16, INT4_WEIGHT, INT8_STATIC, INT4_WEIGHT_GPTQ)) {
            // The same content returns the version that has it, so this never adds a version.
            recipeViews.put(r.name(), as(SEEDER, Set.of(Role.ENGINEER), () -> recipes.save(new RecipeRequest(
                    r.name(), r.method(), null, null, r.blockSize(), r.calibrationMethod(), null, null, null, null,
                    "QReg demo recipe", r.algorithm(), null, null, null, null)).recipe()));
        }
        return new Registered(checkpointIds, calibration, evaluation, recipeViews);
    }

    private UUID modelWithCheckpoint(Example example) {
        try {
            models.create(new ModelService.NewModel(example.model(), example.task(), example.description(), "demo",
                    example.riskTier()));
        } catch (ApiException e) {
            if (e.status() != HttpStatus.CONFLICT) {
                throw e;
            }
        }
        for (CheckpointView existing : checkpoints.listForModel(example.model(), PageRequest.of(0, 200))) {
            if (existing.version().equals(VERSION)) {
                return existing.id();
            }
        }
        Map<String, Object> metadata = Map.of("version", VERSION, "license", "QReg demo fixture",
                "redistribution", "internal-only", "sourceUri", "classpath:demo/" + example.onnx());
        try (InputStream in = resource(example.onnx())) {
            return checkpoints.register(example.model(), new ReceivedUpload(CanonicalJson.write(metadata),
                    artifacts.stage(in, maxUploadBytes, example.onnx()))).id();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dataset version of the arrays (entry name to resource), as a .zip; the same bytes return the same version. */
    private DatasetView dataset(String name, String purpose, String description, Map<String, String> arrays) {
        byte[] zip = zip(arrays);
        Map<String, Object> metadata = Map.of("name", name, "purpose", purpose, "description", description);
        return datasets.register(new ReceivedUpload(CanonicalJson.write(metadata),
                artifacts.stage(new ByteArrayInputStream(zip), maxUploadBytes, name + ".zip"))).dataset();
    }

    // ---------------------------------------------------------------- jobs

    /** A QUANTIZE job with EVALUATE and BENCHMARK follow-ups per quantization, unless one exists; keyed by {@link #key}. */
    Map<String, UUID> submit(Registered r, List<Quantization> wave) {
        Map<String, UUID> ids = new LinkedHashMap<>();
        for (Quantization q : wave) {
            UUID checkpoint = r.checkpoints().get(q.example().model());
            RecipeView recipe = r.recipes().get(q.recipe().name());
            UUID existing = existingQuantizeJob(checkpoint, recipe);
            if (existing != null) {
                ids.put(key(q), existing);
                continue;
            }
            DatasetView calibration = q.recipe().needsCalibration() ? r.calibration().get(q.example().model()) : null;
            DatasetView evaluation = r.evaluation().get(q.example().model());
            JobRequest request = new JobRequest("QUANTIZE", checkpoint,
                    new JobRequest.Versioned(recipe.name(), recipe.version()),
                    calibration == null ? null : new JobRequest.Versioned(calibration.name(), calibration.version()),
                    null, null, "any", List.of(
                            new JobRequest.FollowUp("EVALUATE", new JobRequest.Versioned(evaluation.name(),
                                    evaluation.version()), null),
                            new JobRequest.FollowUp("BENCHMARK", null, "any")), null);
            ids.put(key(q), as(ENGINEER, () -> submission.submit(request)).id());
        }
        return ids;
    }

    /** The newest QUANTIZE job of this checkpoint and recipe version, looking through the newest thousand. */
    private UUID existingQuantizeJob(UUID checkpoint, RecipeView recipe) {
        for (int page = 0; page < 5; page++) {
            var found = jobs.search(null, "QUANTIZE", PageRequest.of(page, 200, Sort.by(Sort.Direction.DESC,
                    "createdAt")));
            for (JobView job : found) {
                if (checkpoint.equals(job.checkpointId()) && job.recipe() != null && job.reproducesVariantId() == null
                        && recipe.name().equals(job.recipe().get("name"))
                        && job.recipe().get("version") instanceof Number v && v.intValue() == recipe.version()) {
                    return job.id();
                }
            }
            if (found.isLast()) {
                break;
            }
        }
        return null;
    }

    /** Until every QUANTIZE job and its follow-ups have finished, however they finished. */
    private void awaitWave(java.util.Collection<UUID> quantizeJobs) {
        Instant deadline = Instant.now().plus(WAVE_TIMEOUT);
        List<UUID> pending = new ArrayList<>(quantizeJobs);
        while (!pending.isEmpty()) {
            UUID id = pending.get(0);
            JobView job = jobs.get(id);
            if (finished(job)) {
                pending.remove(0);
                pending.addAll(job.followUpJobIds());
                continue;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("job " + id + " is still " + job.status() + " after "
                        + WAVE_TIMEOUT.toMinutes() + " minutes; is a worker running? (QREG_EMBEDDED_WORKER)");
            }
            sleep(Duration.ofMillis(500));
        }
    }

    private static boolean finished(JobView job) {
        return !job.status().equals("QUEUED") && !job.status().equals("RUNNING");
    }

    // ---------------------------------------------------------------- approvals

    /** Opens each approval whose variant exists, unless that variant already has one for the target. */
    List<UUID> openApprovals(Map<String, UUID> quantizeJobs, List<DemoApproval> wanted) {
        deployment.ensure();
        List<UUID> opened = new ArrayList<>();
        for (DemoApproval a : wanted) {
            UUID jobId = quantizeJobs.get(key(a.of()));
            JobView job = jobId == null ? null : jobs.get(jobId);
            if (job == null || job.variantId() == null) {
                log.info("demo data: no variant from {} (job {}), so no approval for it", key(a.of()),
                        job == null ? "missing" : job.status() + ": " + job.error());
                continue;
            }
            var existing = as(ENGINEER, () -> approvals.search(null, false, job.variantId(), DEPLOYMENT,
                    a.environment(), a.tier(), PageRequest.of(0, 1)));
            if (existing.getTotalElements() > 0) {
                opened.add(existing.getContent().get(0).id());
                continue;
            }
            ApprovalView requested;
            try {
                requested = as(ENGINEER, () -> approvals.request(new ApprovalService.NewApproval(job.variantId(), null,
                        DEPLOYMENT, a.environment(), a.tier(), null, null)));
            } catch (ApiException e) {
                log.info("demo data: no approval for {}: {}", key(a.of()), e.getMessage());
                continue;
            }
            opened.add(requested.id());
            if (a.approve()) {
                ApprovalView signed = as(APPROVER, () -> approvals.sign(requested.id(),
                        new ApprovalService.NewSignoff("APPROVE", "Demo: evaluation and benchmark look right.")));
                if (signed.status() == ApprovalStatus.APPROVED) {
                    deployment.startRollout(signed, job.checkpointId());
                }
            }
        }
        return opened;
    }

    // ---------------------------------------------------------------- helpers

    static String key(Quantization q) {
        return q.example().model() + "/" + q.recipe().name();
    }

    private static InputStream resource(String name) throws IOException {
        return new ClassPathResource("demo/" + name).getInputStream();
    }

    private static byte[] zip(Map<String, String> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (var e : new TreeMap<>(entries).entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                // A fixed time keeps the archive's bytes, and so the dataset's sha256, the same at every start.
                entry.setTime(0);
                out.putNextEntry(entry);
                try (InputStream in = resource(e.getValue())) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("demo data: interrupted while waiting for jobs", e);
        }
    }
}
