"""The audit log's pages (read by the audit admin). The log itself lives in the bottom layer, shanzhi.audit;
its pages need access control and exports from core, so they sit here, above both."""
