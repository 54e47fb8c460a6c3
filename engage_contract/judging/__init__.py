"""An exchange judged: what went over the wire (exchange), what is known of a customer (customer), the checks
(one function a clause), the judge that sends a case, reads the customer back and runs the checks, how a
failure reads (failures) and the known deviations (baseline). Imports http/ and the foundation."""
