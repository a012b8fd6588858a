-- Placeholder for migration 007, which another branch of this round adds (migrations must be
-- contiguous). The karpenter branch drops this file when it merges the branch that brings 007.
SELECT 1;
