package io.qreg.registry.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Named hardware profiles jobs can ask for: a worker satisfies a target when the target's
 * {@code requiredFlags} are among its CPU flags and the target's {@code labels} among its labels.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class HardwareTargetService {

    public static final String ANY = "any";
    private static final Pattern FLAG = Pattern.compile("[a-z0-9_.-]{1,64}");

    private final HardwareTargets targets;
    private final AuditLog audit;

    public record HardwareTarget(String name, List<String> requiredFlags, Map<String, String> labels,
            Instant createdAt, String createdBy) {
    }

    public record NewTarget(String name, List<String> requiredFlags, Map<String, String> labels) {
    }

    @Transactional
    public HardwareTarget create(NewTarget request) {
        if (request.name() == null || !ModelService.NAME.matcher(request.name()).matches()) {
            throw ApiException.invalid("name", "name must be 1-63 characters of lowercase letters, digits and '-',"
                    + " e.g. 'avx512-vnni'; got '" + request.name() + "'");
        }
        List<String> flags = request.requiredFlags() == null ? List.of()
                : List.copyOf(new TreeSet<>(request.requiredFlags()));
        for (String flag : flags) {
            if (flag == null || !FLAG.matcher(flag).matches()) {
                throw ApiException.invalid("requiredFlags", "flags are CPU feature names as /proc/cpuinfo writes"
                        + " them (lowercase, e.g. 'avx512_vnni'); got '" + flag + "'");
            }
        }
        Map<String, String> labels = request.labels() == null ? Map.of() : new TreeMap<>(request.labels());
        labels.forEach((k, v) -> {
            if (k == null || k.isBlank() || k.length() > 63 || v == null || v.length() > 200) {
                throw ApiException.invalid("labels", "labels are non-empty keys (max 63) with string values (max 200)");
            }
        });
        if (exists(request.name())) {
            throw ApiException.conflict("hardware target '" + request.name() + "' already exists");
        }
        Instant now = Timestamps.now();
        targets.insert(request.name(), flags, labels, now);
        HardwareTarget target = new HardwareTarget(request.name(), flags, labels, now, CurrentUser.username());
        audit.record("hardware-target.created", "hardware-target", target.name(), null, target, Map.of());
        return target;
    }

    @Transactional(readOnly = true)
    public boolean exists(String name) {
        return targets.exists(name);
    }

    @Transactional(readOnly = true)
    public Page<HardwareTarget> list(Pageable pageable) {
        return targets.page(pageable);
    }
}
