// @ts-check
// Stops the fault suite's own servers (only those: its own run dir and ports).
const { faultStack } = require('./fault-stack');

module.exports = async () => {
  if (process.env.LAPSE_FAULTS_KEEP !== '1') faultStack('down');
};
