package io.qreg.registry.demo;

import static io.qreg.registry.demo.DemoPeople.as;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.approval.SignoffRequirement;
import io.qreg.registry.security.Role;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line a finished, or stopped, seeding logs. It asks for sign-offs only on the demo's requests still PENDING, and names the
 * demo people whose role one of them still needs, so a restart after someone signed does not send them back.
 */
final class DemoSummary {

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private DemoSummary() {
    }

    /** A shutdown interrupts the seeding on purpose (the interrupt stays set): that is no warning. */
    static void seedingStopped(RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
            log.info("demo data: seeding stopped by the shutdown; starting again with QREG_DEMO=true carries on");
        } else {
            log.warn("demo data: seeding stopped: {}", e.getMessage(), e);
        }
    }

    /** E.g. "models digits-mlp and bytelm-small, 7 QUANTIZE jobs, 2 of 3 approval requests waiting: sign in as …". */
    static String describe(ApprovalService approvals, int quantizeJobs, List<UUID> opened) {
        List<ApprovalView> requests = as(DemoData.SEEDER, Set.of(Role.VIEWER), () -> opened.stream()
                .map(approvals::get).toList());
        return "models " + DemoData.DIGITS + " and " + DemoData.BYTELM + ", " + quantizeJobs + " QUANTIZE jobs, "
                + waiting(requests);
    }

    /** What of the demo's approval requests still waits, and for whom. */
    static String waiting(List<ApprovalView> requests) {
        List<ApprovalView> pending = requests.stream().filter(a -> a.status() == ApprovalStatus.PENDING).toList();
        int opened = requests.size();
        if (pending.isEmpty()) {
            return opened + " approval request" + (opened == 1 ? "" : "s") + ", none waiting for a sign-off.";
        }
        Set<Role> needed = new LinkedHashSet<>();
        pending.forEach(a -> a.stillRequired().stream().map(SignoffRequirement::role).forEach(needed::add));
        String signers = DemoData.PEOPLE.stream().filter(p -> needed.contains(p.role()))
                .map(p -> p.username() + " (password " + p.password() + ")").collect(Collectors.joining(" or "));
        return pending.size() + " of " + opened + " approval requests waiting for a sign-off"
                + (signers.isEmpty() ? "." : ": sign in as " + signers + " to sign.");
    }
}
