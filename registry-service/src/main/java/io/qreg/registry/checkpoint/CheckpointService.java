package io.qreg.registry.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.qreg.onnx.OnnxFormatException;
import io.qreg.onnx.OnnxHeaderReader;
import io.qreg.onnx.OnnxModelHeader;
import io.qreg.onnx.TensorSignature;
import io.qreg.registry.artifact.ArtifactService;
import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.ImmutableViews;
import io.qreg.registry.tag.SubjectTags;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.web.ApiException;

import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Registers checkpoints: checks the client's digest and the ONNX header of the staged bytes, then
 * moves the blob into the store and writes the row (and its audit event) in one transaction.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class CheckpointService {

    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> REDISTRIBUTION = Set.of("allowed", "internal-only");

    private final CheckpointRepository checkpoints;
    private final ModelService models;
    private final ArtifactService artifacts;
    private final AuditLog audit;
    private final Tags tags;
    private final TransactionTemplate transaction;
    private final ImmutableViews<UUID, CheckpointView> views = new ImmutableViews<>();

    /** Takes ownership of the staged file: it ends up in the store, or deleted. */
    public CheckpointView register(String modelName, ReceivedUpload upload) {
        StagedFile staged = upload.file();
        try {
            ModelView model = models.get(modelName);
            CheckpointMetadata metadata = upload.metadata(CheckpointMetadata.class,
                    "{version, license, redistribution, sourceUri, sha256?, parentCheckpointId?}");
            validate(metadata);
            if (metadata.sha256() != null && !metadata.sha256().equals(staged.sha256())) {
                throw new ApiException(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT,
                        "sha256 mismatch: the metadata says " + metadata.sha256() + " but the received "
                                + staged.sizeBytes() + " bytes hash to " + staged.sha256()
                                + "; the file was altered or cut short in transit", "sha256");
            }
            OnnxModelHeader header = readHeader(staged);
            requireSignature(header);
            if (checkpoints.existsByModelIdAndVersion(model.id(), metadata.version())) {
                throw ApiException.conflict("model '" + modelName + "' already has a checkpoint version '"
                        + metadata.version() + "'; checkpoints are immutable, register a new version");
            }
            if (metadata.parentCheckpointId() != null && !checkpoints.existsById(metadata.parentCheckpointId())) {
                throw ApiException.invalid("parentCheckpointId",
                        "parent checkpoint '" + metadata.parentCheckpointId() + "' does not exist");
            }
            return transaction.execute(tx -> {
                artifacts.commit(staged);
                Checkpoint checkpoint = checkpoints.saveAndFlush(new Checkpoint(model.id(), metadata.version(),
                        staged.sha256(), staged.sizeBytes(), header.irVersion(), header.opset(),
                        producerOf(header), CanonicalJson.write(specs(header.inputs())),
                        CanonicalJson.write(specs(header.outputs())), metadata.license().trim(),
                        metadata.redistribution() == null ? "internal-only" : metadata.redistribution(),
                        metadata.sourceUri(), metadata.parentCheckpointId(), CurrentUser.username(),
                        header.quantized()));
                CheckpointView view = checkpoint.view(model.name());
                audit.record("checkpoint.registered", "checkpoint", view.id().toString(), null, view,
                        Map.of("model", model.name(), "version", view.version(), "sha256", view.sha256()));
                return view;
            });
        } finally {
            staged.discard();
        }
    }

    private static void validate(CheckpointMetadata m) {
        if (m.version() == null || !VERSION.matcher(m.version()).matches()) {
            throw ApiException.invalid("version",
                    "version is required: 1-64 characters of letters, digits, '.', '+', '_' or '-', e.g. '1.0.0'");
        }
        if (m.license() == null || m.license().isBlank() || m.license().length() > 200) {
            throw ApiException.invalid("license",
                    "license is required: an SPDX id such as 'Apache-2.0' or a short free text (max 200)");
        }
        if (m.redistribution() != null && !REDISTRIBUTION.contains(m.redistribution())) {
            throw ApiException.invalid("redistribution",
                    "redistribution must be 'allowed' or 'internal-only', got '" + m.redistribution() + "'");
        }
        if (m.sha256() != null && !SHA256.matcher(m.sha256()).matches()) {
            throw ApiException.invalid("sha256", "sha256 must be 64 lowercase hex digits");
        }
        if (m.sourceUri() != null && m.sourceUri().length() > 2000) {
            throw ApiException.invalid("sourceUri", "sourceUri must be at most 2000 characters");
        }
    }

    private static OnnxModelHeader readHeader(StagedFile staged) {
        try (InputStream in = Files.newInputStream(staged.path())) {
            return OnnxHeaderReader.read(in);
        } catch (OnnxFormatException e) {
            throw new ApiException(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT,
                    "the file is not a usable ONNX model: " + e.getMessage(), "file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A graph without inputs or outputs computes nothing a gateway could ask for, and no evaluation
     * could ever measure it, so it can never earn the evidence a rollout needs: refused before it is stored.
     */
    private static void requireSignature(OnnxModelHeader header) {
        List<String> missing = new ArrayList<>();
        if (header.inputs().isEmpty()) {
            missing.add("no inputs");
        }
        if (header.outputs().isEmpty()) {
            missing.add("no outputs");
        }
        if (!missing.isEmpty()) {
            throw new ApiException(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT, "the ONNX graph has "
                    + String.join(" and ", missing) + " (initializers do not count as inputs); a checkpoint must"
                    + " take at least one input and produce at least one output", "file");
        }
    }

    private static String producerOf(OnnxModelHeader header) {
        String producer = header.producerName() == null ? "" : header.producerName();
        if (header.producerVersion() != null && !header.producerVersion().isEmpty()) {
            producer = producer + " " + header.producerVersion();
        }
        producer = producer.trim();
        return producer.isEmpty() ? null : producer.substring(0, Math.min(200, producer.length()));
    }

    static List<TensorSpec> specs(List<TensorSignature> signatures) {
        List<TensorSpec> specs = new ArrayList<>(signatures.size());
        for (TensorSignature s : signatures) {
            List<Object> shape = null;
            if (s.shape() != null) {
                shape = new ArrayList<>(s.shape().size());
                for (var dim : s.shape()) {
                    shape.add(dim.value() != null ? dim.value() : dim.param() != null ? dim.param() : "?");
                }
            }
            specs.add(new TensorSpec(s.name(), s.elementType(), shape));
        }
        return specs;
    }

    /** Not transactional: a cached view costs no connection; a miss reads in the repository's own. */
    public CheckpointView get(UUID id) {
        return views.get(id, key -> viewOf(require(key)));
    }

    @Transactional(readOnly = true)
    public Page<CheckpointView> listForModel(String modelName, Pageable pageable) {
        return listForModel(modelName, null, pageable);
    }

    /** The model's checkpoints, only those with the tag unless it is null. */
    @Transactional(readOnly = true)
    public Page<CheckpointView> listForModel(String modelName, TagFilter tag, Pageable pageable) {
        ModelView model = models.get(modelName);
        if (tag == null) {
            return checkpoints.findByModelId(model.id(), pageable).map(c -> c.view(model.name()));
        }
        List<UUID> tagged = tags.subjectsWith(TagSubject.CHECKPOINT, tag);
        return tagged.isEmpty() ? Page.empty(pageable)
                : checkpoints.findByModelIdAndIdIn(model.id(), tagged, pageable).map(c -> c.view(model.name()));
    }

    @Transactional
    public SubjectTags putTag(UUID id, String key, TagValue value) {
        return tags.put(TagSubject.CHECKPOINT, require(id).getId(), id.toString(), key, value);
    }

    @Transactional
    public SubjectTags removeTag(UUID id, String key) {
        return tags.remove(TagSubject.CHECKPOINT, require(id).getId(), id.toString(), key);
    }

    @Transactional(readOnly = true)
    public Map<String, String> tags(UUID id) {
        return tags.of(TagSubject.CHECKPOINT, id);
    }

    @Transactional(readOnly = true)
    public Map<UUID, Map<String, String>> tags(Collection<UUID> ids) {
        return tags.of(TagSubject.CHECKPOINT, ids);
    }

    /** The checkpoint, the chain of parents it was derived from (nearest first) and its children. */
    public record Lineage(CheckpointView checkpoint, List<CheckpointView> ancestors, List<CheckpointView> children) {
    }

    @Transactional(readOnly = true)
    public Lineage lineage(UUID id) {
        CheckpointView checkpoint = viewOf(require(id));
        List<CheckpointView> ancestors = new ArrayList<>();
        Set<UUID> seen = new java.util.HashSet<>(Set.of(checkpoint.id()));
        UUID parent = checkpoint.parentId();
        while (parent != null && seen.add(parent)) {
            CheckpointView ancestor = viewOf(require(parent));
            ancestors.add(ancestor);
            parent = ancestor.parentId();
        }
        List<CheckpointView> children = checkpoints.findByParentIdOrderByCreatedAt(id).stream()
                .map(this::viewOf).toList();
        return new Lineage(checkpoint, ancestors, children);
    }

    /** The stored bytes and the digest that names them. */
    public record Content(Resource resource, String sha256, long sizeBytes, String filename) {
    }

    @Transactional(readOnly = true)
    public Content content(UUID id) {
        CheckpointView c = viewOf(require(id));
        return new Content(artifacts.open(c.sha256()), c.sha256(), c.sizeBytes(),
                c.modelName() + "-" + c.version() + ".onnx");
    }

    @Transactional(readOnly = true)
    public Map<UUID, Long> countsByModel(Collection<UUID> modelIds) {
        Map<UUID, Long> counts = new HashMap<>();
        if (!modelIds.isEmpty()) {
            for (Object[] row : checkpoints.countByModelIds(modelIds)) {
                counts.put((UUID) row[0], (Long) row[1]);
            }
        }
        return counts;
    }

    @Transactional(readOnly = true)
    public long count() {
        return checkpoints.count();
    }

    private Checkpoint require(UUID id) {
        return checkpoints.findById(id).orElseThrow(() -> ApiException.notFound("checkpoint", id));
    }

    private CheckpointView viewOf(Checkpoint c) {
        return c.view(models.nameOf(c.getModelId()));
    }
}
